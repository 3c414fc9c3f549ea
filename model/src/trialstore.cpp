#include "model/trialstore.h"

#include <QDir>
#include <QFileInfo>
#include <QLocale>
#include <QRandomGenerator>
#include <QSet>
#include <QSqlDatabase>
#include <QSqlError>
#include <QSqlQuery>
#include <QUrl>
#include <QUuid>

#include <nlohmann/json.hpp>

#include <cmath>
#include <functional>
#include <limits>

using namespace Qt::StringLiterals;

namespace sweepline::model {

namespace {

using json = nlohmann::json;

// 2: trials have a step per curve value, the stdout offset of a running curve and a stop point,
// and may be "pruned" (which a version-1 reader would not know).
constexpr int schemaVersion = 2;
const QString databaseFileName = u"trials.db"_s;

// Every column of trials, in the order rowToRecord() reads them.
const QStringList trialColumns{
    u"id"_s,           u"token"_s,      u"state"_s,        u"params"_s, u"stage"_s,   u"direction"_s,
    u"batch"_s,        u"value"_s,      u"intermediate"_s, u"job_id"_s, u"attempt"_s, u"created_at"_s,
    u"submitted_at"_s, u"started_at"_s, u"finished_at"_s,  u"error"_s,  u"note"_s,    u"steps"_s,
    u"curve_offset"_s, u"prune_step"_s, u"prune_value"_s,
};

// Columns added to the first format, as an upgrade adds them. note came without a format change.
const QList<std::pair<QString, QString>> addedColumns{
    {u"note"_s, u"TEXT"_s},
    {u"steps"_s, u"TEXT"_s}, // JSON array of ints; NULL: 1..n
    {u"curve_offset"_s, u"INTEGER"_s},
    {u"prune_step"_s, u"INTEGER"_s},
    {u"prune_value"_s, u"REAL"_s},
};

const QStringList schemaStatements = {
    u"CREATE TABLE meta (key TEXT PRIMARY KEY, value TEXT)"_s,
    u"CREATE TABLE trials ("
    "id INTEGER PRIMARY KEY, token TEXT NOT NULL UNIQUE, state TEXT NOT NULL, "
    "params TEXT NOT NULL, stage INT, direction TEXT, batch INT, value REAL, "
    "intermediate TEXT, job_id TEXT, attempt INT NOT NULL DEFAULT 0, created_at INTEGER, "
    "submitted_at INTEGER, started_at INTEGER, finished_at INTEGER, error TEXT, note TEXT, steps TEXT, "
    "curve_offset INTEGER, prune_step INTEGER, prune_value REAL)"_s,
    u"CREATE TABLE trial_events ("
    "id INTEGER PRIMARY KEY, trial_id INTEGER NOT NULL REFERENCES trials(id), "
    "state TEXT NOT NULL, at INTEGER NOT NULL, note TEXT)"_s,
    u"CREATE INDEX trial_events_by_trial ON trial_events(trial_id)"_s,
    u"CREATE INDEX trials_by_state ON trials(state)"_s,
    u"PRAGMA user_version = %1"_s.arg(schemaVersion),
};

bool isLegalTransition(TrialState from, TrialState to)
{
    using S = TrialState;
    switch (from) {
    case S::Planned:
        return to == S::Submitting || to == S::Cancelled; // cancelled before submission
    case S::Submitting:
        return to == S::Queued || to == S::Running || to == S::Failed || to == S::Cancelled || to == S::Planned;
    case S::Queued:
        return to == S::Running || to == S::Done || to == S::Failed || to == S::Cancelled || to == S::Pruned;
    case S::Running:
        return to == S::Done || to == S::Failed || to == S::Cancelled || to == S::Pruned;
    case S::Done:
    case S::Failed:
    case S::Cancelled:
    case S::Pruned:
        return false;
    }
    return false;
}

QVariant nullable(const QString& text)
{
    return text.isEmpty() ? QVariant() : QVariant(text);
}

QDateTime utcFromMs(const QVariant& value)
{
    return value.isNull() ? QDateTime() : QDateTime::fromMSecsSinceEpoch(value.toLongLong(), Qt::UTC);
}

// A change without a known time happened now.
qint64 msOrNow(const QDateTime& at)
{
    return at.isValid() ? at.toMSecsSinceEpoch() : QDateTime::currentMSecsSinceEpoch();
}

QString unknownState(qint64 id, const QString& state)
{
    return u"trial %1: unknown state \"%2\" in the store"_s.arg(id).arg(state);
}

// SQLite turns a bound NaN into NULL; a value column keeps NaN and the infinities as text instead.
QString nonFiniteText(double value)
{
    if (std::isnan(value))
        return u"nan"_s;
    return value > 0 ? u"inf"_s : u"-inf"_s;
}

std::optional<double> nonFiniteFromText(const QString& text)
{
    if (text == u"nan"_s)
        return std::numeric_limits<double>::quiet_NaN();
    if (text == u"inf"_s)
        return std::numeric_limits<double>::infinity();
    if (text == u"-inf"_s)
        return -std::numeric_limits<double>::infinity();
    return std::nullopt;
}

QVariant valueToSql(double value)
{
    return std::isnan(value) ? QVariant(nonFiniteText(value)) : QVariant(value);
}

std::optional<double> valueFromSql(const QVariant& value)
{
    if (value.isNull())
        return std::nullopt;
    if (value.typeId() == QMetaType::QString)
        return nonFiniteFromText(value.toString());
    return value.toDouble();
}

std::string toUtf8(const QString& text)
{
    return text.toStdString();
}

QString dumpJson(const json& document)
{
    // Replace rather than throw on the impossible invalid UTF-8; doubles are written shortest round-trip.
    return QString::fromStdString(document.dump(-1, ' ', false, json::error_handler_t::replace));
}

// Parameter values keep their type: qint64 stays an integer, double a float (1.0 is written "1.0").
json valueToJson(const QVariant& value)
{
    switch (value.typeId()) {
    case QMetaType::Int:
    case QMetaType::UInt:
    case QMetaType::Long:
    case QMetaType::LongLong:
    case QMetaType::Short:
        return json(value.toLongLong());
    case QMetaType::ULong:
    case QMetaType::ULongLong:
    case QMetaType::UShort:
        return json(value.toULongLong());
    case QMetaType::Double:
    case QMetaType::Float:
        return json(value.toDouble());
    case QMetaType::Bool:
        return json(value.toBool());
    default:
        if (!value.isValid())
            return json(nullptr);
        return json(toUtf8(value.toString()));
    }
}

QVariant valueFromJson(const json& value)
{
    if (value.is_number_unsigned()) {
        const auto number = value.get<quint64>();
        if (number <= quint64(std::numeric_limits<qint64>::max()))
            return QVariant(qint64(number));
        return QVariant(number);
    }
    if (value.is_number_integer())
        return QVariant(value.get<qint64>());
    if (value.is_number_float())
        return QVariant(value.get<double>());
    if (value.is_string())
        return QVariant(QString::fromStdString(value.get<std::string>()));
    if (value.is_boolean())
        return QVariant(value.get<bool>());
    return QVariant();
}

QString encodeValues(const QVariantList& values)
{
    json array = json::array();
    for (const QVariant& value : values)
        array.push_back(valueToJson(value));
    return dumpJson(array);
}

std::optional<QVariantList> decodeValues(const QString& text)
{
    const json array = json::parse(toUtf8(text), nullptr, false);
    if (array.is_discarded() || !array.is_array())
        return std::nullopt;
    QVariantList values;
    for (const json& value : array)
        values.append(valueFromJson(value));
    return values;
}

QString encodeCurve(const QList<double>& curve)
{
    json array = json::array();
    for (double value : curve)
        array.push_back(std::isfinite(value) ? json(value) : json(toUtf8(nonFiniteText(value))));
    return dumpJson(array);
}

std::optional<QList<double>> decodeCurve(const QVariant& column)
{
    if (column.isNull())
        return QList<double>();
    const json array = json::parse(toUtf8(column.toString()), nullptr, false);
    if (array.is_discarded() || !array.is_array())
        return std::nullopt;
    QList<double> curve;
    for (const json& value : array) {
        if (value.is_number()) {
            curve.append(value.get<double>());
        } else if (value.is_string()) {
            const auto number = nonFiniteFromText(QString::fromStdString(value.get<std::string>()));
            if (!number)
                return std::nullopt;
            curve.append(*number);
        } else {
            return std::nullopt;
        }
    }
    return curve;
}

// Empty steps (1..n) are NULL.
QVariant encodeSteps(const QList<int>& steps)
{
    if (steps.isEmpty())
        return {};
    json array = json::array();
    for (int step : steps)
        array.push_back(step);
    return dumpJson(array);
}

std::optional<QList<int>> decodeSteps(const QVariant& column)
{
    if (column.isNull())
        return QList<int>();
    const json array = json::parse(toUtf8(column.toString()), nullptr, false);
    if (array.is_discarded() || !array.is_array())
        return std::nullopt;
    QList<int> steps;
    steps.reserve(qsizetype(array.size()));
    for (const json& step : array) {
        if (!step.is_number_integer())
            return std::nullopt;
        steps.append(step.get<int>());
    }
    return steps;
}

bool isActive(TrialState state)
{
    return state == TrialState::Queued || state == TrialState::Running;
}

QString pointText(const CurvePoint& point)
{
    return u"step %1 (value %2)"_s.arg(point.step)
        .arg(QString::number(point.value, 'g', QLocale::FloatingPointShortest));
}

QString newStoreId()
{
    return QString::number(QRandomGenerator::system()->generate(), 16).rightJustified(8, u'0');
}

QString isoNow()
{
    return QDateTime::currentDateTimeUtc().toString(Qt::ISODateWithMs);
}

} // namespace

struct TrialStore::Private {
    // What a state change writes besides state: "col = ?, ..." and the values to bind.
    struct Change {
        QString assignments;
        QVariantList binds;
    };

    ~Private()
    {
        // The connection can only be removed once no QSqlDatabase refers to it.
        if (db.isValid())
            db.close();
        db = QSqlDatabase();
        if (!connection.isEmpty())
            QSqlDatabase::removeDatabase(connection);
    }

    QString directory;
    QString path;
    QString connection;
    QSqlDatabase db;
    QString storeId;
    QByteArray campaignJson;
    // Columns of trials this store lacks: only an older store opened read-only, which is not upgraded.
    QSet<QString> missingColumns;

    template<typename T = Done>
    Result<T> failure(const QString& message, ErrorCode code = ErrorCode::Io) const
    {
        return Result<T>::failure(code, message);
    }

    QString sqlFailure(const QString& what, const QSqlError& error) const
    {
        return u"%1: %2 failed: %3"_s.arg(path, what, error.text());
    }

    // The one place that prepares, binds, runs and checks a statement.
    Result<QSqlQuery> run(const QString& sql, const QVariantList& binds = {}) const
    {
        QSqlQuery query(db);
        query.setForwardOnly(true);
        if (!query.prepare(sql))
            return failure<QSqlQuery>(sqlFailure(sql.section(u' ', 0, 2), query.lastError()));
        for (const QVariant& value : binds)
            query.addBindValue(value);
        if (!query.exec())
            return failure<QSqlQuery>(sqlFailure(sql.section(u' ', 0, 2), query.lastError()));
        return query;
    }

    Status exec(const QString& sql, const QVariantList& binds = {}) const
    {
        auto query = run(sql, binds);
        return query ? success() : failure(query.error());
    }

    // Runs one query that yields a single value.
    Result<QVariant> scalar(const QString& sql, const QVariantList& binds = {}) const
    {
        auto query = run(sql, binds);
        if (!query)
            return failure<QVariant>(query.error());
        if (!query->next())
            return QVariant();
        return query->value(0);
    }

    // BEGIN IMMEDIATE takes the write lock up front, so a transaction never fails half-way on a lock.
    Status transaction(const std::function<Status()>& body) const
    {
        if (auto begin = exec(u"BEGIN IMMEDIATE"_s); !begin)
            return begin;
        Status status = body();
        if (status)
            status = exec(u"COMMIT"_s);
        if (!status)
            (void)exec(u"ROLLBACK"_s);
        return status;
    }

    Status addConnection(const QString& databasePath);
    Status connect(const QString& databasePath);
    Status connectReadOnly(const QString& databasePath);
    Status configure();
    Result<int> userVersion() const;
    Status checkVersion(bool createIfEmpty);
    Status upgradeSchema();
    Result<QSet<QString>> columnNames() const;
    Status findMissingColumns();
    Status createSchema();
    Result<QHash<QString, QString>> readMeta() const;
    Status setMeta(const QString& key, const QString& value);
    Status adoptCampaign(const Campaign& campaign, DefinitionPolicy policy);
    Status loadMeta();

    // The row a change is checked against.
    struct Current {
        TrialState state = TrialState::Planned;
        std::optional<CurvePoint> pruneAt;
    };
    Result<Current> current(qint64 id) const;
    // What a state change needs beyond a legal transition; a failure refuses it.
    using Precondition = std::function<Status(const Current&)>;
    Status transition(qint64 id, TrialState to, const Change& change, const QDateTime& at, const QString& note,
                      const Precondition& precondition = {});
    Status checkSteps(qint64 id, const QList<double>& intermediate, const QList<int>& steps) const;
    Result<TrialRecord> rowToRecord(const QSqlQuery& query) const;
    Result<QList<TrialRecord>> select(const QString& where, const QVariantList& binds) const;
};

Status TrialStore::Private::addConnection(const QString& databasePath)
{
    path = databasePath;
    connection = u"sweepline-trialstore-%1"_s.arg(QUuid::createUuid().toString(QUuid::WithoutBraces));
    db = QSqlDatabase::addDatabase(u"QSQLITE"_s, connection);
    if (!db.isValid())
        return failure(u"%1: the Qt SQLite driver (QSQLITE) is not available"_s.arg(path));
    return success();
}

Status TrialStore::Private::connect(const QString& databasePath)
{
    if (auto added = addConnection(databasePath); !added)
        return added;
    db.setDatabaseName(path);
    db.setConnectOptions(u"QSQLITE_BUSY_TIMEOUT=5000"_s);
    if (!db.open())
        return failure(u"%1: cannot open: %2"_s.arg(path, db.lastError().text()));
    return configure();
}

// Reads without writing a byte: no schema upgrade, no journal-mode switch, no checkpoint. In a
// folder this process cannot write and without a write-ahead log nobody can be writing (a writer
// makes the log first), so SQLite is told the file is immutable: it then makes no -wal, -shm or
// lock file either. Elsewhere a run may be writing, and the reader sees its commits.
Status TrialStore::Private::connectReadOnly(const QString& databasePath)
{
    if (auto added = addConnection(databasePath); !added)
        return added;
    const bool frozen = !QFileInfo(directory).isWritable() && !QFileInfo::exists(databasePath + u"-wal"_s);
    if (frozen) {
        QUrl url = QUrl::fromLocalFile(databasePath);
        url.setQuery(u"immutable=1"_s);
        db.setDatabaseName(url.toString(QUrl::FullyEncoded));
        db.setConnectOptions(u"QSQLITE_OPEN_READONLY;QSQLITE_OPEN_URI"_s);
    } else {
        db.setDatabaseName(path);
        db.setConnectOptions(u"QSQLITE_OPEN_READONLY;QSQLITE_BUSY_TIMEOUT=5000"_s);
    }
    if (!db.open())
        return failure(u"%1: cannot open for reading: %2"_s.arg(path, db.lastError().text()));
    // A second guard: SQLite refuses every write on this connection, whatever a caller asks.
    return exec(u"PRAGMA query_only = ON"_s);
}

Status TrialStore::Private::configure()
{
    // WAL + FULL: a commit is on disk when it returns, and readers never block the writer.
    const QStringList pragmas{u"PRAGMA busy_timeout = 5000"_s, u"PRAGMA foreign_keys = ON"_s,
                              u"PRAGMA synchronous = FULL"_s};
    for (const QString& pragma : pragmas) {
        if (auto status = exec(pragma); !status)
            return status;
    }
    auto mode = scalar(u"PRAGMA journal_mode = WAL"_s);
    if (!mode)
        return failure(mode.error());
    if (mode->toString().compare(u"wal"_s, Qt::CaseInsensitive) != 0) {
        return failure(u"%1: cannot switch to write-ahead logging (journal mode is %2)"_s.arg(path, mode->toString()));
    }
    return success();
}

Result<int> TrialStore::Private::userVersion() const
{
    auto version = scalar(u"PRAGMA user_version"_s);
    if (!version)
        return failure<int>(version.error());
    return version->toInt();
}

Status TrialStore::Private::checkVersion(bool createIfEmpty)
{
    auto version = userVersion();
    if (!version)
        return failure(version.error());
    if (version.value() > schemaVersion) {
        return failure(u"%1 was written by a newer version of Sweepline (store format %2, this "
                       "version reads format %3). Use a newer Sweepline, or use --store to start "
                       "a separate store."_s.arg(path)
                           .arg(version.value())
                           .arg(schemaVersion),
                       ErrorCode::InvalidInput);
    }
    if (version.value() > 0)
        return success(); // an older format is upgraded (or read as it is) by the caller
    if (!createIfEmpty)
        return failure(u"%1 is not a Sweepline trial store"_s.arg(path), ErrorCode::InvalidInput);
    return createSchema();
}

Result<QSet<QString>> TrialStore::Private::columnNames() const
{
    auto columns = run(u"PRAGMA table_info(trials)"_s);
    if (!columns)
        return failure<QSet<QString>>(columns.error());
    QSet<QString> names;
    while (columns->next())
        names.insert(columns->value(1).toString());
    return names;
}

// An older store gets the columns it lacks, in place: its trials keep everything they had and read
// as trials with a plain 1..n curve and no stop point.
Status TrialStore::Private::upgradeSchema()
{
    return transaction([this]() -> Status {
        auto names = columnNames();
        if (!names)
            return failure(names.error());
        for (const auto& [name, type] : addedColumns) {
            if (names->contains(name))
                continue;
            if (auto status = exec(u"ALTER TABLE trials ADD COLUMN %1 %2"_s.arg(name, type)); !status)
                return status;
        }
        auto version = userVersion();
        if (!version)
            return failure(version.error());
        // user_version is part of the transaction: the columns and the format number commit together.
        return version.value() < schemaVersion ? exec(u"PRAGMA user_version = %1"_s.arg(schemaVersion)) : success();
    });
}

// A read-only open reads an older store as it is: the columns it lacks read as NULL.
Status TrialStore::Private::findMissingColumns()
{
    auto names = columnNames();
    if (!names)
        return failure(names.error());
    for (const QString& column : trialColumns) {
        if (!names->contains(column))
            missingColumns.insert(column);
    }
    return success();
}

Status TrialStore::Private::createSchema()
{
    return transaction([this]() -> Status {
        // Another process may have created it between our check and the write lock.
        auto version = userVersion();
        if (!version)
            return failure(version.error());
        if (version.value() != 0)
            return success();
        for (const QString& statement : schemaStatements) {
            if (auto status = exec(statement); !status)
                return status;
        }
        if (auto status = setMeta(u"store_id"_s, newStoreId()); !status)
            return status;
        return setMeta(u"created_at"_s, isoNow());
    });
}

Result<QHash<QString, QString>> TrialStore::Private::readMeta() const
{
    auto query = run(u"SELECT key, value FROM meta"_s);
    if (!query)
        return failure<QHash<QString, QString>>(query.error());
    QHash<QString, QString> meta;
    while (query->next())
        meta.insert(query->value(0).toString(), query->value(1).toString());
    return meta;
}

Status TrialStore::Private::setMeta(const QString& key, const QString& value)
{
    return exec(u"INSERT INTO meta (key, value) VALUES (?, ?) "
                "ON CONFLICT(key) DO UPDATE SET value = excluded.value"_s,
                {key, value});
}

Status TrialStore::Private::adoptCampaign(const Campaign& campaign, DefinitionPolicy policy)
{
    return transaction([&]() -> Status {
        auto meta = readMeta();
        if (!meta)
            return failure(meta.error());
        const QString fingerprint = definitionFingerprint(campaign);
        const bool accept = policy == DefinitionPolicy::AcceptChanged;
        const bool fresh = !meta->contains(u"fingerprint"_s);

        if (!fresh) {
            const QByteArray storedJson = meta->value(u"campaign_json"_s).toUtf8();
            const ParseOutcome stored = parseCampaign(storedJson);
            QString storedName = meta->value(u"campaign_name"_s);
            if (storedName.isEmpty() && stored.campaign)
                storedName = stored.campaign->name;
            if (storedName != campaign.name && !accept) {
                return failure(u"%1 holds trials of campaign \"%2\", not \"%3\". Use --store to start "
                               "a separate store, or run with --accept-changed-definition to "
                               "continue this one with the new definition."_s.arg(directory, storedName, campaign.name),
                               ErrorCode::DefinitionChanged);
            }
            const bool changed = storedName != campaign.name || meta->value(u"fingerprint"_s) != fingerprint;
            if (changed && !accept) {
                QStringList parts;
                if (stored.campaign)
                    parts = definitionDifferences(*stored.campaign, campaign);
                if (parts.isEmpty())
                    parts.append(u"definition"_s);
                return failure(u"%1 holds trials of a different definition of this campaign "
                               "(changed: %2). Run with --accept-changed-definition to continue "
                               "with the new definition, or use --store to start a separate store."_s.arg(
                                   directory, parts.join(u", "_s)),
                               ErrorCode::DefinitionChanged);
            }
            if (changed) {
                if (auto status = setMeta(u"definition_changed_at"_s, isoNow()); !status)
                    return status;
            }
        }
        // Budget, parallelism and cluster may change freely: keep the latest definition.
        const QList<std::pair<QString, QString>> values{
            {u"campaign_json"_s, QString::fromUtf8(toJson(campaign))},
            {u"fingerprint"_s, fingerprint},
            {u"campaign_name"_s, campaign.name},
        };
        for (const auto& [key, value] : values) {
            if (auto status = setMeta(key, value); !status)
                return status;
        }
        return success();
    });
}

Status TrialStore::Private::loadMeta()
{
    auto meta = readMeta();
    if (!meta)
        return failure(meta.error());
    storeId = meta->value(u"store_id"_s);
    campaignJson = meta->value(u"campaign_json"_s).toUtf8();
    if (storeId.isEmpty())
        return failure(u"%1 is not a Sweepline trial store (it has no store id)"_s.arg(path), ErrorCode::InvalidInput);
    return success();
}

Result<TrialStore::Private::Current> TrialStore::Private::current(qint64 id) const
{
    using R = Result<Current>;
    auto query = run(u"SELECT state, prune_step, prune_value FROM trials WHERE id = ?"_s, {id});
    if (!query)
        return R::failure(query.error());
    if (!query->next())
        return R::failure(ErrorCode::NotFound, u"trial %1: no such trial"_s.arg(id));
    const auto state = trialStateFromString(query->value(0).toString());
    if (!state)
        return R::failure(ErrorCode::Failed, unknownState(id, query->value(0).toString()));
    Current row{*state, {}};
    if (!query->value(1).isNull()) {
        row.pruneAt = CurvePoint{query->value(1).toInt(),
                                 valueFromSql(query->value(2)).value_or(std::numeric_limits<double>::quiet_NaN())};
    }
    return row;
}

Status TrialStore::Private::transition(qint64 id, TrialState to, const Change& change, const QDateTime& at,
                                       const QString& note, const Precondition& precondition)
{
    return transaction([&]() -> Status {
        auto row = current(id);
        if (!row)
            return row.failureInfo();
        const TrialState from = row->state;
        if (!isLegalTransition(from, to)) {
            return failure(u"trial %1: cannot go from %2 to %3"_s.arg(id).arg(toString(from), toString(to)),
                           ErrorCode::Failed);
        }
        if (precondition) {
            if (auto status = precondition(row.value()); !status)
                return status;
        }

        QString sql = u"UPDATE trials SET state = ?"_s;
        if (!change.assignments.isEmpty())
            sql += u", "_s + change.assignments;
        sql += u" WHERE id = ?"_s;
        QVariantList binds{toString(to)};
        binds += change.binds;
        binds.append(id);
        if (auto status = exec(sql, binds); !status)
            return status;
        return exec(u"INSERT INTO trial_events (trial_id, state, at, note) VALUES (?, ?, ?, ?)"_s,
                    {id, toString(to), msOrNow(at), nullable(note)});
    });
}

Status TrialStore::Private::checkSteps(qint64 id, const QList<double>& intermediate, const QList<int>& steps) const
{
    if (steps.isEmpty() || steps.size() == intermediate.size())
        return success();
    return failure(u"trial %1: %2 steps for %3 curve values"_s.arg(id).arg(steps.size()).arg(intermediate.size()),
                   ErrorCode::InvalidInput);
}

Result<TrialRecord> TrialStore::Private::rowToRecord(const QSqlQuery& query) const
{
    TrialRecord record;
    record.id = query.value(0).toLongLong();
    record.token = query.value(1).toString();
    const auto state = trialStateFromString(query.value(2).toString());
    if (!state) {
        return failure<TrialRecord>(unknownState(record.id, query.value(2).toString()));
    }
    record.state = *state;
    const auto values = decodeValues(query.value(3).toString());
    const auto curve = decodeCurve(query.value(8));
    const auto steps = decodeSteps(query.value(17));
    if (!values || !curve || !steps)
        return failure<TrialRecord>(u"trial %1: unreadable values in %2"_s.arg(record.id).arg(path));
    record.values = *values;
    record.labels.stage = query.value(4).toInt();
    record.labels.direction = query.value(5).toString();
    record.labels.batch = query.value(6).toInt();
    record.value = valueFromSql(query.value(7));
    record.intermediate = *curve;
    record.jobId = query.value(9).toString();
    record.attempt = query.value(10).toInt();
    record.createdAt = utcFromMs(query.value(11));
    record.submittedAt = utcFromMs(query.value(12));
    record.startedAt = utcFromMs(query.value(13));
    record.finishedAt = utcFromMs(query.value(14));
    record.error = query.value(15).toString();
    record.note = query.value(16).toString();
    record.steps = *steps;
    record.curveOffset = query.value(18).toLongLong();
    if (!query.value(19).isNull()) {
        record.pruneAt = CurvePoint{query.value(19).toInt(),
                                    valueFromSql(query.value(20)).value_or(std::numeric_limits<double>::quiet_NaN())};
    }
    return record;
}

Result<QList<TrialRecord>> TrialStore::Private::select(const QString& where, const QVariantList& binds) const
{
    // A column an older store lacks reads as NULL: a trial without a note, steps or stop point.
    QStringList columns;
    for (const QString& column : trialColumns)
        columns.append(missingColumns.contains(column) ? u"NULL AS %1"_s.arg(column) : column);
    auto query = run(u"SELECT %1 FROM trials %2 ORDER BY id"_s.arg(columns.join(u", "_s), where), binds);
    if (!query)
        return failure<QList<TrialRecord>>(query.error());
    QList<TrialRecord> records;
    while (query->next()) {
        auto record = rowToRecord(query.value());
        if (!record)
            return failure<QList<TrialRecord>>(record.error());
        records.append(std::move(record).value());
    }
    return records;
}

TrialStore::TrialStore(std::unique_ptr<Private> data) : d(std::move(data))
{}

TrialStore::~TrialStore() = default;

Result<std::unique_ptr<TrialStore>> TrialStore::open(const QString& directory, const Campaign& campaign,
                                                     DefinitionPolicy policy)
{
    using R = Result<std::unique_ptr<TrialStore>>;
    auto d = std::make_unique<Private>();
    d->directory = QDir::cleanPath(QFileInfo(directory).absoluteFilePath());
    if (!QDir().mkpath(d->directory))
        return R::failure(ErrorCode::Io, u"cannot create the state directory %1"_s.arg(d->directory));
    Status status = d->connect(QDir(d->directory).filePath(databaseFileName));
    if (status)
        status = d->checkVersion(true);
    if (status)
        status = d->upgradeSchema();
    if (status)
        status = d->adoptCampaign(campaign, policy);
    if (status)
        status = d->loadMeta();
    if (!status)
        return status.failureInfo();
    return std::unique_ptr<TrialStore>(new TrialStore(std::move(d)));
}

Result<std::unique_ptr<TrialStore>> TrialStore::openExisting(const QString& directory, Access access)
{
    using R = Result<std::unique_ptr<TrialStore>>;
    auto d = std::make_unique<Private>();
    d->directory = QDir::cleanPath(QFileInfo(directory).absoluteFilePath());
    const QString path = QDir(d->directory).filePath(databaseFileName);
    // Checked first: opening a missing file would create an empty store.
    if (!exists(d->directory))
        return R::failure(ErrorCode::NotFound, u"no state for this campaign yet: %1"_s.arg(d->directory));
    const bool readOnly = access == Access::ReadOnly;
    Status status = readOnly ? d->connectReadOnly(path) : d->connect(path);
    if (status)
        status = d->checkVersion(false);
    if (status)
        status = readOnly ? d->findMissingColumns() : d->upgradeSchema();
    if (status)
        status = d->loadMeta();
    if (!status)
        return status.failureInfo();
    return std::unique_ptr<TrialStore>(new TrialStore(std::move(d)));
}

bool TrialStore::exists(const QString& directory)
{
    return QFileInfo(QDir(directory).filePath(databaseFileName)).isFile();
}

Result<Campaign> TrialStore::recordedCampaign() const
{
    ParseOutcome parsed = parseCampaign(d->campaignJson);
    if (!parsed.campaign)
        return Result<Campaign>::failure(ErrorCode::InvalidInput,
                                         u"%1: the recorded campaign definition is unreadable: %2"_s.arg(
                                             d->directory, parsed.issues.value(0).toString()));
    return std::move(*parsed.campaign);
}

QString TrialStore::directory() const
{
    return d->directory;
}

QByteArray TrialStore::campaignJson() const
{
    return d->campaignJson;
}

QString TrialStore::storeId() const
{
    return d->storeId;
}

Result<TrialRecord> TrialStore::addTrial(const QVariantList& values, const TrialLabels& labels)
{
    qint64 id = 0;
    const Status status = d->transaction([&]() -> Status {
        auto next = d->scalar(u"SELECT COALESCE(MAX(id), 0) + 1 FROM trials"_s);
        if (!next)
            return Status::failure(next.error());
        id = next->toLongLong();
        // "sw" + store id + "-" + trial id: unique across stores and a valid job name for every scheduler.
        const QString token = u"sw%1-%2"_s.arg(d->storeId).arg(id);
        const qint64 now = QDateTime::currentMSecsSinceEpoch();
        auto inserted = d->exec(u"INSERT INTO trials (id, token, state, params, stage, direction, batch, created_at) "
                                "VALUES (?, ?, ?, ?, ?, ?, ?, ?)"_s,
                                {id, token, toString(TrialState::Planned), encodeValues(values), labels.stage,
                                 nullable(labels.direction), labels.batch, now});
        if (!inserted)
            return inserted;
        return d->exec(u"INSERT INTO trial_events (trial_id, state, at) VALUES (?, ?, ?)"_s,
                       {id, toString(TrialState::Planned), now});
    });
    if (!status)
        return Result<TrialRecord>::failure(status.error());
    return trial(id);
}

Status TrialStore::markSubmitting(qint64 id)
{
    return d->transition(id, TrialState::Submitting, {u"attempt = attempt + 1"_s, {}}, {}, {});
}

Status TrialStore::markQueued(qint64 id, const QString& jobId, const QDateTime& at)
{
    return d->transition(id, TrialState::Queued, {u"job_id = ?, submitted_at = ?"_s, {nullable(jobId), msOrNow(at)}},
                         at, jobId.isEmpty() ? QString() : u"job %1"_s.arg(jobId));
}

Status TrialStore::markRunning(qint64 id, const QDateTime& at)
{
    const qint64 ms = msOrNow(at);
    // A job seen running without a recorded submission (it started at once) was submitted by then.
    return d->transition(id, TrialState::Running,
                         {u"started_at = ?, submitted_at = COALESCE(submitted_at, ?)"_s, {ms, ms}}, at, {});
}

// Every end clears curve_offset (there is no stdout to read on) and the row's stop point: a trial
// that ends otherwise than pruned was not stopped. Its history keeps the request.
Status TrialStore::markDone(qint64 id, double value, const QList<double>& intermediate, const QDateTime& at,
                            const QString& note, const QList<int>& steps)
{
    if (auto status = d->checkSteps(id, intermediate, steps); !status)
        return status;
    return d->transition(
        id, TrialState::Done,
        {u"value = ?, intermediate = ?, steps = ?, finished_at = ?, error = NULL, note = ?, "
         "curve_offset = 0, prune_step = NULL, prune_value = NULL"_s,
         {valueToSql(value), encodeCurve(intermediate), encodeSteps(steps), msOrNow(at), nullable(note)}},
        at, note);
}

Status TrialStore::markFailed(qint64 id, const QString& error, const QList<double>& intermediate, const QDateTime& at,
                              const QString& note, const QList<int>& steps)
{
    if (auto status = d->checkSteps(id, intermediate, steps); !status)
        return status;
    // The partial learning curve stays: it shows how far the run got.
    return d->transition(
        id, TrialState::Failed,
        {u"error = ?, intermediate = ?, steps = ?, finished_at = ?, note = ?, curve_offset = 0, "
         "prune_step = NULL, prune_value = NULL"_s,
         {nullable(error), encodeCurve(intermediate), encodeSteps(steps), msOrNow(at), nullable(note)}},
        at, error);
}

Status TrialStore::markCancelled(qint64 id, const QString& reason, const QDateTime& at)
{
    // A curve recorded while it ran stays, like a failed trial's.
    return d->transition(id, TrialState::Cancelled,
                         {u"error = ?, finished_at = ?, curve_offset = 0, prune_step = NULL, prune_value = NULL"_s,
                          {nullable(reason), msOrNow(at)}},
                         at, reason);
}

Status TrialStore::recordCurve(qint64 id, const QList<double>& intermediate, const QList<int>& steps,
                               qint64 curveOffset)
{
    if (auto status = d->checkSteps(id, intermediate, steps); !status)
        return status;
    if (curveOffset < 0)
        return Status::failure(ErrorCode::InvalidInput,
                               u"trial %1: negative curve offset %2"_s.arg(id).arg(curveOffset));
    return d->transaction([&]() -> Status {
        auto row = d->current(id);
        if (!row)
            return row.failureInfo();
        if (!isActive(row->state)) {
            return Status::failure(
                ErrorCode::Failed,
                u"trial %1: cannot record a curve of a %2 trial"_s.arg(id).arg(toString(row->state)));
        }
        // Not a state change: no history entry, or a long run would write one per poll.
        return d->exec(u"UPDATE trials SET intermediate = ?, steps = ?, curve_offset = ? WHERE id = ?"_s,
                       {encodeCurve(intermediate), encodeSteps(steps), curveOffset, id});
    });
}

Status TrialStore::markPruneRequested(qint64 id, const CurvePoint& at)
{
    return d->transaction([&]() -> Status {
        auto row = d->current(id);
        if (!row)
            return row.failureInfo();
        if (!isActive(row->state)) {
            return Status::failure(ErrorCode::Failed,
                                   u"trial %1: cannot stop a %2 trial"_s.arg(id).arg(toString(row->state)));
        }
        if (row->pruneAt) {
            return Status::failure(
                ErrorCode::Failed,
                u"trial %1: its stop was already requested at %2"_s.arg(id).arg(pointText(*row->pruneAt)));
        }
        if (auto status = d->exec(u"UPDATE trials SET prune_step = ?, prune_value = ? WHERE id = ?"_s,
                                  {at.step, valueToSql(at.value), id});
            !status)
            return status;
        // The state stays; the history shows when the stop was asked for.
        return d->exec(u"INSERT INTO trial_events (trial_id, state, at, note) VALUES (?, ?, ?, ?)"_s,
                       {id, toString(row->state), QDateTime::currentMSecsSinceEpoch(),
                        u"stop requested at %1"_s.arg(pointText(at))});
    });
}

Status TrialStore::markPruned(qint64 id, const QList<double>& intermediate, const QList<int>& steps,
                              const QDateTime& at, const QString& note)
{
    if (auto status = d->checkSteps(id, intermediate, steps); !status)
        return status;
    QString eventNote = note;
    const auto requested = [&](const Private::Current& row) -> Status {
        if (!row.pruneAt) {
            return Status::failure(ErrorCode::Failed,
                                   u"trial %1: cannot be pruned, its stop was never requested"_s.arg(id));
        }
        if (eventNote.isEmpty())
            eventNote = u"stopped at %1"_s.arg(pointText(*row.pruneAt));
        return success();
    };
    return d->transition(id, TrialState::Pruned,
                         {u"value = NULL, intermediate = ?, steps = ?, finished_at = ?, error = NULL, note = ?, "
                          "curve_offset = 0"_s,
                          {encodeCurve(intermediate), encodeSteps(steps), msOrNow(at), nullable(note)}},
                         at, eventNote, requested);
}

Status TrialStore::markResubmittable(qint64 id, const QString& reason)
{
    return d->transition(id, TrialState::Planned, {}, {}, reason);
}

Status TrialStore::correctStartedAt(qint64 id, const QDateTime& at)
{
    if (!at.isValid())
        return Status::failure(u"trial %1: no start time to record"_s.arg(id));
    return d->transaction([&]() -> Status {
        return d->exec(u"UPDATE trials SET started_at = ? WHERE id = ? AND state = ?"_s,
                       {at.toMSecsSinceEpoch(), id, toString(TrialState::Running)});
    });
}

Result<TrialRecord> TrialStore::trial(qint64 id) const
{
    auto records = d->select(u"WHERE id = ?"_s, {id});
    if (!records)
        return Result<TrialRecord>::failure(records.error());
    if (records->isEmpty())
        return Result<TrialRecord>::failure(ErrorCode::NotFound, u"trial %1: no such trial"_s.arg(id));
    return records->first();
}

Result<QList<TrialRecord>> TrialStore::trials() const
{
    return d->select({}, {});
}

Result<QList<TrialRecord>> TrialStore::trialsIn(const QList<TrialState>& states) const
{
    if (states.isEmpty())
        return QList<TrialRecord>();
    QStringList marks;
    QVariantList binds;
    for (TrialState state : states) {
        marks.append(u"?"_s);
        binds.append(toString(state));
    }
    return d->select(u"WHERE state IN (%1)"_s.arg(marks.join(u',')), binds);
}

Result<QHash<TrialState, int>> TrialStore::countByState() const
{
    using R = Result<QHash<TrialState, int>>;
    auto query = d->run(u"SELECT state, COUNT(*) FROM trials GROUP BY state"_s);
    if (!query)
        return R::failure(query.error());
    QHash<TrialState, int> counts;
    for (TrialState state : allTrialStates())
        counts.insert(state, 0);
    while (query->next()) {
        const auto state = trialStateFromString(query->value(0).toString());
        if (!state)
            return R::failure(u"%1: unknown state \"%2\""_s.arg(d->path, query->value(0).toString()));
        counts[*state] = query->value(1).toInt();
    }
    return counts;
}

Result<QList<TrialStore::StateChange>> TrialStore::history(qint64 trialId) const
{
    using R = Result<QList<StateChange>>;
    auto query =
        d->run(u"SELECT trial_id, state, at, note FROM trial_events WHERE trial_id = ? ORDER BY id"_s, {trialId});
    if (!query)
        return R::failure(query.error());
    QList<StateChange> changes;
    while (query->next()) {
        const auto state = trialStateFromString(query->value(1).toString());
        if (!state)
            return R::failure(
                u"trial %1: unknown state \"%2\" in its history"_s.arg(trialId).arg(query->value(1).toString()));
        changes.append({query->value(0).toLongLong(), *state, utcFromMs(query->value(2)), query->value(3).toString()});
    }
    return changes;
}

Result<QString> TrialStore::integrityCheck() const
{
    auto query = d->run(u"PRAGMA integrity_check"_s);
    if (!query)
        return Result<QString>::failure(query.error());
    QStringList lines;
    while (query->next())
        lines.append(query->value(0).toString());
    return lines.join(u'\n');
}

QString defaultStateDirectory(const QString& campaignPath)
{
    const QString fileName = QFileInfo(campaignPath).fileName();
    const QString folder = campaignPath.left(campaignPath.size() - fileName.size());
    const qsizetype dot = fileName.lastIndexOf(u'.');
    // Only the last suffix goes; a leading dot (".hidden") is part of the name, not a suffix.
    const QString base = dot > 0 ? fileName.left(dot) : fileName;
    return folder + base + u".sweepline"_s;
}

} // namespace sweepline::model
