#include "model/trialstore.h"

#include <QDir>
#include <QFileInfo>
#include <QRandomGenerator>
#include <QSqlDatabase>
#include <QSqlError>
#include <QSqlQuery>
#include <QUuid>

#include <nlohmann/json.hpp>

#include <cmath>
#include <functional>
#include <limits>

namespace sweepline::model {

namespace {

using json = nlohmann::json;

constexpr int schemaVersion = 1;
const QString databaseFileName = QStringLiteral("trials.db");

// Every column of trials, in the order rowToRecord() reads them.
const QString trialColumns = QStringLiteral(
    "id, token, state, params, stage, direction, batch, value, intermediate, job_id, attempt, "
    "created_at, submitted_at, started_at, finished_at, error, note");

const QStringList schemaStatements = {
    QStringLiteral("CREATE TABLE meta (key TEXT PRIMARY KEY, value TEXT)"),
    QStringLiteral("CREATE TABLE trials ("
                   "id INTEGER PRIMARY KEY, token TEXT NOT NULL UNIQUE, state TEXT NOT NULL, "
                   "params TEXT NOT NULL, stage INT, direction TEXT, batch INT, value REAL, "
                   "intermediate TEXT, job_id TEXT, attempt INT NOT NULL DEFAULT 0, created_at INTEGER, "
                   "submitted_at INTEGER, started_at INTEGER, finished_at INTEGER, error TEXT, note TEXT)"),
    QStringLiteral("CREATE TABLE trial_events ("
                   "id INTEGER PRIMARY KEY, trial_id INTEGER NOT NULL REFERENCES trials(id), "
                   "state TEXT NOT NULL, at INTEGER NOT NULL, note TEXT)"),
    QStringLiteral("CREATE INDEX trial_events_by_trial ON trial_events(trial_id)"),
    QStringLiteral("CREATE INDEX trials_by_state ON trials(state)"),
    QStringLiteral("PRAGMA user_version = %1").arg(schemaVersion),
};

bool isLegalTransition(TrialState from, TrialState to)
{
    using S = TrialState;
    switch (from) {
    case S::Planned: return to == S::Submitting || to == S::Cancelled; // cancelled before submission
    case S::Submitting:
        return to == S::Queued || to == S::Running || to == S::Failed || to == S::Cancelled || to == S::Planned;
    case S::Queued: return to == S::Running || to == S::Done || to == S::Failed || to == S::Cancelled;
    case S::Running: return to == S::Done || to == S::Failed || to == S::Cancelled;
    case S::Done:
    case S::Failed:
    case S::Cancelled: return false;
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
    return QStringLiteral("trial %1: unknown state \"%2\" in the store").arg(id).arg(state);
}

// SQLite turns a bound NaN into NULL; a value column keeps NaN and the infinities as text instead.
QString nonFiniteText(double value)
{
    if (std::isnan(value))
        return QStringLiteral("nan");
    return value > 0 ? QStringLiteral("inf") : QStringLiteral("-inf");
}

std::optional<double> nonFiniteFromText(const QString& text)
{
    if (text == QLatin1String("nan"))
        return std::numeric_limits<double>::quiet_NaN();
    if (text == QLatin1String("inf"))
        return std::numeric_limits<double>::infinity();
    if (text == QLatin1String("-inf"))
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

    QString directory;
    QString path;
    QString connection;
    QSqlDatabase db;
    QString storeId;
    QByteArray campaignJson;

    ~Private()
    {
        // The connection can only be removed once no QSqlDatabase refers to it.
        if (db.isValid())
            db.close();
        db = QSqlDatabase();
        if (!connection.isEmpty())
            QSqlDatabase::removeDatabase(connection);
    }

    template <typename T = Done>
    Result<T> failure(const QString& message) const
    {
        return Result<T>::failure(message);
    }

    QString sqlFailure(const QString& what, const QSqlError& error) const
    {
        return QStringLiteral("%1: %2 failed: %3").arg(path, what, error.text());
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
        if (auto begin = exec(QStringLiteral("BEGIN IMMEDIATE")); !begin)
            return begin;
        Status status = body();
        if (status)
            status = exec(QStringLiteral("COMMIT"));
        if (!status)
            (void)exec(QStringLiteral("ROLLBACK"));
        return status;
    }

    Status connect(const QString& databasePath);
    Status configure();
    Result<int> userVersion() const;
    Status checkVersion(bool createIfEmpty);
    Status addNoteColumn();
    Status createSchema();
    Result<QHash<QString, QString>> readMeta() const;
    Status setMeta(const QString& key, const QString& value);
    Status adoptCampaign(const Campaign& campaign, DefinitionPolicy policy);
    Status loadMeta();

    Status transition(qint64 id, TrialState to, const Change& change, const QDateTime& at, const QString& note);
    Result<TrialRecord> rowToRecord(const QSqlQuery& query) const;
    Result<QList<TrialRecord>> select(const QString& where, const QVariantList& binds) const;
};

Status TrialStore::Private::connect(const QString& databasePath)
{
    path = databasePath;
    connection = QStringLiteral("sweepline-trialstore-%1").arg(QUuid::createUuid().toString(QUuid::WithoutBraces));
    db = QSqlDatabase::addDatabase(QStringLiteral("QSQLITE"), connection);
    if (!db.isValid())
        return failure(QStringLiteral("%1: the Qt SQLite driver (QSQLITE) is not available").arg(path));
    db.setDatabaseName(path);
    db.setConnectOptions(QStringLiteral("QSQLITE_BUSY_TIMEOUT=5000"));
    if (!db.open())
        return failure(QStringLiteral("%1: cannot open: %2").arg(path, db.lastError().text()));
    return configure();
}

Status TrialStore::Private::configure()
{
    // WAL + FULL: a commit is on disk when it returns, and readers never block the writer.
    const QStringList pragmas{QStringLiteral("PRAGMA busy_timeout = 5000"), QStringLiteral("PRAGMA foreign_keys = ON"),
                              QStringLiteral("PRAGMA synchronous = FULL")};
    for (const QString& pragma : pragmas) {
        if (auto status = exec(pragma); !status)
            return status;
    }
    auto mode = scalar(QStringLiteral("PRAGMA journal_mode = WAL"));
    if (!mode)
        return failure(mode.error());
    if (mode->toString().compare(QLatin1String("wal"), Qt::CaseInsensitive) != 0) {
        return failure(QStringLiteral("%1: cannot switch to write-ahead logging (journal mode is %2)")
                           .arg(path, mode->toString()));
    }
    return success();
}

Result<int> TrialStore::Private::userVersion() const
{
    auto version = scalar(QStringLiteral("PRAGMA user_version"));
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
        return failure(QStringLiteral("%1 was written by a newer version of Sweepline (store format %2, this "
                                      "version reads format %3). Use a newer Sweepline, or use --store to start "
                                      "a separate store.")
                           .arg(path)
                           .arg(version.value())
                           .arg(schemaVersion));
    }
    if (version.value() == schemaVersion)
        return success();
    if (!createIfEmpty)
        return failure(QStringLiteral("%1 is not a Sweepline trial store").arg(path));
    return createSchema();
}

// Stores made before trials had a note get the column: added, not a new format, so an older
// Sweepline (which names its columns) still opens the store.
Status TrialStore::Private::addNoteColumn()
{
    return transaction([this]() -> Status {
        auto columns = run(QStringLiteral("PRAGMA table_info(trials)"));
        if (!columns)
            return failure(columns.error());
        while (columns->next()) {
            if (columns->value(1).toString() == QLatin1String("note"))
                return success();
        }
        return exec(QStringLiteral("ALTER TABLE trials ADD COLUMN note TEXT"));
    });
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
        if (auto status = setMeta(QStringLiteral("store_id"), newStoreId()); !status)
            return status;
        return setMeta(QStringLiteral("created_at"), isoNow());
    });
}

Result<QHash<QString, QString>> TrialStore::Private::readMeta() const
{
    auto query = run(QStringLiteral("SELECT key, value FROM meta"));
    if (!query)
        return failure<QHash<QString, QString>>(query.error());
    QHash<QString, QString> meta;
    while (query->next())
        meta.insert(query->value(0).toString(), query->value(1).toString());
    return meta;
}

Status TrialStore::Private::setMeta(const QString& key, const QString& value)
{
    return exec(QStringLiteral("INSERT INTO meta (key, value) VALUES (?, ?) "
                               "ON CONFLICT(key) DO UPDATE SET value = excluded.value"),
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
        const bool fresh = !meta->contains(QStringLiteral("fingerprint"));

        if (!fresh) {
            const QByteArray storedJson = meta->value(QStringLiteral("campaign_json")).toUtf8();
            const ParseOutcome stored = parseCampaign(storedJson);
            QString storedName = meta->value(QStringLiteral("campaign_name"));
            if (storedName.isEmpty() && stored.campaign)
                storedName = stored.campaign->name;
            if (storedName != campaign.name && !accept) {
                return failure(QStringLiteral("%1 holds trials of campaign \"%2\", not \"%3\". Use --store to start "
                                              "a separate store, or run with --accept-changed-definition to "
                                              "continue this one with the new definition.")
                                   .arg(directory, storedName, campaign.name));
            }
            const bool changed = storedName != campaign.name
                || meta->value(QStringLiteral("fingerprint")) != fingerprint;
            if (changed && !accept) {
                QStringList parts;
                if (stored.campaign)
                    parts = definitionDifferences(*stored.campaign, campaign);
                if (parts.isEmpty())
                    parts.append(QStringLiteral("definition"));
                return failure(QStringLiteral("%1 holds trials of a different definition of this campaign "
                                              "(changed: %2). Run with --accept-changed-definition to continue "
                                              "with the new definition, or use --store to start a separate store.")
                                   .arg(directory, parts.join(QStringLiteral(", "))));
            }
            if (changed) {
                if (auto status = setMeta(QStringLiteral("definition_changed_at"), isoNow()); !status)
                    return status;
            }
        }
        // Budget, parallelism and cluster may change freely: keep the latest definition.
        const QList<std::pair<QString, QString>> values{
            {QStringLiteral("campaign_json"), QString::fromUtf8(toJson(campaign))},
            {QStringLiteral("fingerprint"), fingerprint},
            {QStringLiteral("campaign_name"), campaign.name},
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
    storeId = meta->value(QStringLiteral("store_id"));
    campaignJson = meta->value(QStringLiteral("campaign_json")).toUtf8();
    if (storeId.isEmpty())
        return failure(QStringLiteral("%1 is not a Sweepline trial store (it has no store id)").arg(path));
    return success();
}

Status TrialStore::Private::transition(qint64 id, TrialState to, const Change& change, const QDateTime& at,
                                       const QString& note)
{
    return transaction([&]() -> Status {
        auto current = scalar(QStringLiteral("SELECT state FROM trials WHERE id = ?"), {id});
        if (!current)
            return failure(current.error());
        if (current->isNull())
            return failure(QStringLiteral("trial %1: no such trial").arg(id));
        const auto from = trialStateFromString(current->toString());
        if (!from)
            return failure(unknownState(id, current->toString()));
        if (!isLegalTransition(*from, to)) {
            return failure(
                QStringLiteral("trial %1: cannot go from %2 to %3").arg(id).arg(toString(*from), toString(to)));
        }

        QString sql = QStringLiteral("UPDATE trials SET state = ?");
        if (!change.assignments.isEmpty())
            sql += QStringLiteral(", ") + change.assignments;
        sql += QStringLiteral(" WHERE id = ?");
        QVariantList binds{toString(to)};
        binds += change.binds;
        binds.append(id);
        if (auto status = exec(sql, binds); !status)
            return status;
        return exec(QStringLiteral("INSERT INTO trial_events (trial_id, state, at, note) VALUES (?, ?, ?, ?)"),
                    {id, toString(to), msOrNow(at), nullable(note)});
    });
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
    if (!values || !curve)
        return failure<TrialRecord>(QStringLiteral("trial %1: unreadable values in %2").arg(record.id).arg(path));
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
    return record;
}

Result<QList<TrialRecord>> TrialStore::Private::select(const QString& where, const QVariantList& binds) const
{
    auto query = run(QStringLiteral("SELECT %1 FROM trials %2 ORDER BY id").arg(trialColumns, where), binds);
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

TrialStore::TrialStore(std::unique_ptr<Private> data)
    : d(std::move(data))
{
}

TrialStore::~TrialStore() = default;

Result<std::unique_ptr<TrialStore>> TrialStore::open(const QString& directory, const Campaign& campaign,
                                                     DefinitionPolicy policy)
{
    using R = Result<std::unique_ptr<TrialStore>>;
    auto d = std::make_unique<Private>();
    d->directory = QDir::cleanPath(QFileInfo(directory).absoluteFilePath());
    if (!QDir().mkpath(d->directory))
        return R::failure(QStringLiteral("cannot create the state directory %1").arg(d->directory));
    Status status = d->connect(QDir(d->directory).filePath(databaseFileName));
    if (status)
        status = d->checkVersion(true);
    if (status)
        status = d->addNoteColumn();
    if (status)
        status = d->adoptCampaign(campaign, policy);
    if (status)
        status = d->loadMeta();
    if (!status)
        return R::failure(status.error());
    return std::unique_ptr<TrialStore>(new TrialStore(std::move(d)));
}

Result<std::unique_ptr<TrialStore>> TrialStore::openExisting(const QString& directory)
{
    using R = Result<std::unique_ptr<TrialStore>>;
    auto d = std::make_unique<Private>();
    d->directory = QDir::cleanPath(QFileInfo(directory).absoluteFilePath());
    const QString path = QDir(d->directory).filePath(databaseFileName);
    // Checked first: opening a missing file would create an empty store.
    if (!QFileInfo(path).isFile())
        return R::failure(QStringLiteral("no state for this campaign yet: %1").arg(d->directory));
    Status status = d->connect(path);
    if (status)
        status = d->checkVersion(false);
    if (status)
        status = d->addNoteColumn();
    if (status)
        status = d->loadMeta();
    if (!status)
        return R::failure(status.error());
    return std::unique_ptr<TrialStore>(new TrialStore(std::move(d)));
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
        auto next = d->scalar(QStringLiteral("SELECT COALESCE(MAX(id), 0) + 1 FROM trials"));
        if (!next)
            return Status::failure(next.error());
        id = next->toLongLong();
        // "sw" + store id + "-" + trial id: unique across stores and a valid job name for every scheduler.
        const QString token = QStringLiteral("sw%1-%2").arg(d->storeId).arg(id);
        const qint64 now = QDateTime::currentMSecsSinceEpoch();
        auto inserted = d->exec(
            QStringLiteral("INSERT INTO trials (id, token, state, params, stage, direction, batch, created_at) "
                           "VALUES (?, ?, ?, ?, ?, ?, ?, ?)"),
            {id, token, toString(TrialState::Planned), encodeValues(values), labels.stage,
             nullable(labels.direction), labels.batch, now});
        if (!inserted)
            return inserted;
        return d->exec(QStringLiteral("INSERT INTO trial_events (trial_id, state, at) VALUES (?, ?, ?)"),
                       {id, toString(TrialState::Planned), now});
    });
    if (!status)
        return Result<TrialRecord>::failure(status.error());
    return trial(id);
}

Status TrialStore::markSubmitting(qint64 id)
{
    return d->transition(id, TrialState::Submitting, {QStringLiteral("attempt = attempt + 1"), {}}, {}, {});
}

Status TrialStore::markQueued(qint64 id, const QString& jobId, const QDateTime& at)
{
    return d->transition(id, TrialState::Queued,
                         {QStringLiteral("job_id = ?, submitted_at = ?"), {nullable(jobId), msOrNow(at)}},
                         at, jobId.isEmpty() ? QString() : QStringLiteral("job %1").arg(jobId));
}

Status TrialStore::markRunning(qint64 id, const QDateTime& at)
{
    const qint64 ms = msOrNow(at);
    // A job seen running without a recorded submission (it started at once) was submitted by then.
    return d->transition(id, TrialState::Running,
                         {QStringLiteral("started_at = ?, submitted_at = COALESCE(submitted_at, ?)"), {ms, ms}},
                         at, {});
}

Status TrialStore::markDone(qint64 id, double value, const QList<double>& intermediate, const QDateTime& at,
                            const QString& note)
{
    return d->transition(id, TrialState::Done,
                         {QStringLiteral("value = ?, intermediate = ?, finished_at = ?, error = NULL, note = ?"),
                          {valueToSql(value), encodeCurve(intermediate), msOrNow(at), nullable(note)}},
                         at, note);
}

Status TrialStore::markFailed(qint64 id, const QString& error, const QList<double>& intermediate, const QDateTime& at,
                              const QString& note)
{
    // The partial learning curve stays: it shows how far the run got.
    return d->transition(id, TrialState::Failed,
                         {QStringLiteral("error = ?, intermediate = ?, finished_at = ?, note = ?"),
                          {nullable(error), encodeCurve(intermediate), msOrNow(at), nullable(note)}},
                         at, error);
}

Status TrialStore::markCancelled(qint64 id, const QString& reason, const QDateTime& at)
{
    return d->transition(id, TrialState::Cancelled,
                         {QStringLiteral("error = ?, finished_at = ?"), {nullable(reason), msOrNow(at)}},
                         at, reason);
}

Status TrialStore::markResubmittable(qint64 id, const QString& reason)
{
    return d->transition(id, TrialState::Planned, {}, {}, reason);
}

Status TrialStore::correctStartedAt(qint64 id, const QDateTime& at)
{
    if (!at.isValid())
        return Status::failure(QStringLiteral("trial %1: no start time to record").arg(id));
    return d->transaction([&]() -> Status {
        return d->exec(QStringLiteral("UPDATE trials SET started_at = ? WHERE id = ? AND state = ?"),
                       {at.toMSecsSinceEpoch(), id, toString(TrialState::Running)});
    });
}

Result<TrialRecord> TrialStore::trial(qint64 id) const
{
    auto records = d->select(QStringLiteral("WHERE id = ?"), {id});
    if (!records)
        return Result<TrialRecord>::failure(records.error());
    if (records->isEmpty())
        return Result<TrialRecord>::failure(QStringLiteral("trial %1: no such trial").arg(id));
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
        marks.append(QStringLiteral("?"));
        binds.append(toString(state));
    }
    return d->select(QStringLiteral("WHERE state IN (%1)").arg(marks.join(u',')), binds);
}

Result<QHash<TrialState, int>> TrialStore::countByState() const
{
    using R = Result<QHash<TrialState, int>>;
    auto query = d->run(QStringLiteral("SELECT state, COUNT(*) FROM trials GROUP BY state"));
    if (!query)
        return R::failure(query.error());
    QHash<TrialState, int> counts;
    for (TrialState state : allTrialStates())
        counts.insert(state, 0);
    while (query->next()) {
        const auto state = trialStateFromString(query->value(0).toString());
        if (!state)
            return R::failure(QStringLiteral("%1: unknown state \"%2\"").arg(d->path, query->value(0).toString()));
        counts[*state] = query->value(1).toInt();
    }
    return counts;
}

Result<QList<TrialStore::StateChange>> TrialStore::history(qint64 trialId) const
{
    using R = Result<QList<StateChange>>;
    auto query = d->run(
        QStringLiteral("SELECT trial_id, state, at, note FROM trial_events WHERE trial_id = ? ORDER BY id"), {trialId});
    if (!query)
        return R::failure(query.error());
    QList<StateChange> changes;
    while (query->next()) {
        const auto state = trialStateFromString(query->value(1).toString());
        if (!state)
            return R::failure(QStringLiteral("trial %1: unknown state \"%2\" in its history")
                                  .arg(trialId)
                                  .arg(query->value(1).toString()));
        changes.append({query->value(0).toLongLong(), *state, utcFromMs(query->value(2)), query->value(3).toString()});
    }
    return changes;
}

Result<QString> TrialStore::integrityCheck() const
{
    auto query = d->run(QStringLiteral("PRAGMA integrity_check"));
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
    return folder + base + QStringLiteral(".sweepline");
}

} // namespace sweepline::model
