#include "model/trialstore.h"
#include "support/verifyresult.h"

#include <QCryptographicHash>
#include <QDir>
#include <QFile>
#include <QRegularExpression>
#include <QSqlDatabase>
#include <QSqlQuery>
#include <QTemporaryDir>
#include <QTest>

#include <cmath>
#include <limits>

using namespace Qt::StringLiterals;

using namespace sweepline::model;

Q_DECLARE_METATYPE(sweepline::model::TrialState)

namespace {

// Built by hand so these tests do not depend on the campaign parser.
Campaign makeCampaign(const QString& name = u"digits"_s,
                      const QString& command = u"python train.py {lr} {layers} {opt}"_s)
{
    Campaign campaign;
    campaign.name = name;
    Parameter lr;
    lr.name = u"lr"_s;
    lr.type = ParameterType::Float;
    lr.listedValues = {0.1, 0.01};
    lr.candidates = lr.listedValues;
    Parameter layers;
    layers.name = u"layers"_s;
    layers.type = ParameterType::Int;
    layers.listedValues = {qint64(1), qint64(2), qint64(3)};
    layers.candidates = layers.listedValues;
    Parameter opt;
    opt.name = u"opt"_s;
    opt.type = ParameterType::Choice;
    opt.listedValues = {u"adam"_s, u"sgd"_s};
    opt.candidates = opt.listedValues;
    campaign.parameters = {lr, layers, opt};
    campaign.objective.metric = u"loss"_s;
    campaign.job.command = command;
    return campaign;
}

QVariantList someValues()
{
    return {0.1, qint64(2), u"adam"_s};
}

QDateTime at(int hour, int minute, int second, int ms = 0)
{
    return QDateTime(QDate(2026, 11, 23), QTime(hour, minute, second, ms), Qt::UTC);
}

// A second connection to the same file, as an outside tool would see it.
class RawDatabase {
public:
    explicit RawDatabase(const QString& path) : m_name(u"raw-%1"_s.arg(++s_count))
    {
        auto db = QSqlDatabase::addDatabase(u"QSQLITE"_s, m_name);
        db.setDatabaseName(path);
        m_ok = db.open();
    }
    ~RawDatabase()
    {
        QSqlDatabase::database(m_name, false).close();
        QSqlDatabase::removeDatabase(m_name);
    }
    bool ok() const { return m_ok; }
    QVariant scalar(const QString& sql) const { return scalarOn(m_name, sql); }
    const QString& name() const { return m_name; }
    QStringList column(const QString& sql) const
    {
        QSqlQuery query(QSqlDatabase::database(m_name, false));
        QStringList values;
        if (query.exec(sql)) {
            while (query.next())
                values.append(query.value(0).toString());
        }
        return values;
    }
    bool exec(const QString& sql) const
    {
        QSqlQuery query(QSqlDatabase::database(m_name, false));
        return query.exec(sql);
    }
    static QVariant scalarOn(const QString& connection, const QString& sql)
    {
        QSqlQuery query(QSqlDatabase::database(connection, false));
        if (!query.exec(sql) || !query.next())
            return {};
        return query.value(0);
    }

private:
    static inline int s_count = 0;
    QString m_name;
    bool m_ok = false;
};

QString storeConnection()
{
    for (const QString& name : QSqlDatabase::connectionNames()) {
        if (name.startsWith(u"sweepline-trialstore-"_s))
            return name;
    }
    return {};
}

Status apply(TrialStore& store, qint64 id, TrialState to)
{
    switch (to) {
    case TrialState::Planned:
        return store.markResubmittable(id, u"not found"_s);
    case TrialState::Submitting:
        return store.markSubmitting(id);
    case TrialState::Queued:
        return store.markQueued(id, u"4711"_s, at(10, 0, 0));
    case TrialState::Running:
        return store.markRunning(id, at(10, 0, 1));
    case TrialState::Done:
        return store.markDone(id, 0.5, {0.9, 0.5}, at(10, 0, 2));
    case TrialState::Failed:
        return store.markFailed(id, u"exit 1"_s, {0.9}, at(10, 0, 2));
    case TrialState::Cancelled:
        return store.markCancelled(id, u"user"_s, at(10, 0, 2));
    case TrialState::Pruned: {
        // Only a trial whose stop was asked for ends pruned: ask first where that can be done.
        const auto trial = store.trial(id);
        const bool active = trial && (trial->state == TrialState::Queued || trial->state == TrialState::Running);
        if (active && !trial->pruneAt) {
            if (auto requested = store.markPruneRequested(id, {2, 0.9}); !requested)
                return requested;
        }
        return store.markPruned(id, {0.95, 0.9, 0.85}, {}, at(10, 0, 2));
    }
    }
    return Status::failure(u"unreachable"_s);
}

// A legal way to reach each state from Planned.
QList<TrialState> pathTo(TrialState state)
{
    using S = TrialState;
    switch (state) {
    case S::Planned:
        return {};
    case S::Submitting:
        return {S::Submitting};
    case S::Queued:
        return {S::Submitting, S::Queued};
    case S::Running:
        return {S::Submitting, S::Queued, S::Running};
    case S::Done:
        return {S::Submitting, S::Queued, S::Running, S::Done};
    case S::Failed:
        return {S::Submitting, S::Failed};
    case S::Cancelled:
        return {S::Submitting, S::Cancelled};
    case S::Pruned:
        return {S::Submitting, S::Queued, S::Running, S::Pruned};
    }
    return {};
}

// A new trial taken to state along pathTo(); 0 when a step failed.
qint64 addTrialIn(TrialStore& store, TrialState state)
{
    const auto trial = store.addTrial(someValues(), {});
    if (!trial)
        return 0;
    for (TrialState step : pathTo(state)) {
        if (!apply(store, trial->id, step))
            return 0;
    }
    return trial->id;
}

// The transition table from trial.h, written out independently of the store.
bool legal(TrialState from, TrialState to)
{
    using S = TrialState;
    static const QList<std::pair<S, S>> allowed{
        {S::Planned, S::Submitting}, {S::Planned, S::Cancelled}, {S::Submitting, S::Queued},
        {S::Submitting, S::Running}, {S::Submitting, S::Failed}, {S::Submitting, S::Cancelled},
        {S::Submitting, S::Planned}, {S::Queued, S::Running},    {S::Queued, S::Done},
        {S::Queued, S::Failed},      {S::Queued, S::Cancelled},  {S::Running, S::Done},
        {S::Running, S::Failed},     {S::Running, S::Cancelled}, {S::Queued, S::Pruned},
        {S::Running, S::Pruned},
    };
    return allowed.contains({from, to});
}

// The schema of store format 1 as Sweepline wrote it before trials had steps or a stop point, with
// a few trials in it: what a store made by an older version holds.
bool writeVersion1Store(const QString& directory, const Campaign& campaign)
{
    if (!QDir().mkpath(directory))
        return false;
    const QStringList statements{
        u"PRAGMA journal_mode = WAL"_s,
        u"CREATE TABLE meta (key TEXT PRIMARY KEY, value TEXT)"_s,
        u"CREATE TABLE trials ("
        "id INTEGER PRIMARY KEY, token TEXT NOT NULL UNIQUE, state TEXT NOT NULL, "
        "params TEXT NOT NULL, stage INT, direction TEXT, batch INT, value REAL, "
        "intermediate TEXT, job_id TEXT, attempt INT NOT NULL DEFAULT 0, created_at INTEGER, "
        "submitted_at INTEGER, started_at INTEGER, finished_at INTEGER, error TEXT, note TEXT)"_s,
        u"CREATE TABLE trial_events ("
        "id INTEGER PRIMARY KEY, trial_id INTEGER NOT NULL REFERENCES trials(id), "
        "state TEXT NOT NULL, at INTEGER NOT NULL, note TEXT)"_s,
        u"CREATE INDEX trial_events_by_trial ON trial_events(trial_id)"_s,
        u"CREATE INDEX trials_by_state ON trials(state)"_s,
        u"PRAGMA user_version = 1"_s,
        u"INSERT INTO meta VALUES ('store_id', '0123abcd'), ('created_at', '2026-11-01T10:00:00.000Z')"_s,
        u"INSERT INTO trials (id, token, state, params, value, intermediate, job_id, attempt, created_at, "
        "submitted_at, started_at, finished_at, note) VALUES "
        "(1, 'sw0123abcd-1', 'done', '[0.1,2,\"adam\"]', 0.25, '[0.5,0.25]', '11', 1, 1, 2, 3, 4, 'from the tail'), "
        "(2, 'sw0123abcd-2', 'running', '[0.01,1,\"sgd\"]', NULL, NULL, '12', 1, 1, 2, 3, NULL, NULL), "
        "(3, 'sw0123abcd-3', 'planned', '[0.1,3,\"sgd\"]', NULL, NULL, NULL, 0, 1, NULL, NULL, NULL, NULL)"_s,
        u"INSERT INTO trial_events (trial_id, state, at) VALUES (1, 'planned', 1), (1, 'done', 4), "
        "(2, 'planned', 1), (2, 'running', 3), (3, 'planned', 1)"_s,
    };
    RawDatabase raw(QDir(directory).filePath(u"trials.db"_s));
    if (!raw.ok())
        return false;
    for (const QString& statement : statements) {
        if (!raw.exec(statement)) {
            qWarning("%s", qPrintable(statement));
            return false;
        }
    }
    // The meta values are bound, not spliced: the JSON holds quotes.
    QSqlQuery query(QSqlDatabase::database(raw.name(), false));
    const QList<std::pair<QString, QString>> meta{{u"campaign_json"_s, QString::fromUtf8(toJson(campaign))},
                                                  {u"fingerprint"_s, definitionFingerprint(campaign)},
                                                  {u"campaign_name"_s, campaign.name}};
    for (const auto& [key, value] : meta) {
        if (!query.prepare(u"INSERT INTO meta VALUES (?, ?)"_s))
            return false;
        query.addBindValue(key);
        query.addBindValue(value);
        if (!query.exec())
            return false;
    }
    return true;
}

QStringList columnsOf(const QString& databasePath)
{
    RawDatabase raw(databasePath);
    return raw.column(u"SELECT name FROM pragma_table_info('trials')"_s);
}

} // namespace

class TestTrialStore : public QObject {
    Q_OBJECT

private slots:
    void lifecycle();
    void failedKeepsPartialCurve();
    void cancelledAndResubmitted();
    void transitions_data();
    void transitions();
    void unknownTrial();
    void typedValuesRoundTrip_data();
    void typedValuesRoundTrip();
    void metricValuesRoundTrip_data();
    void metricValuesRoundTrip();
    void tokensAreJobNames();
    void pragmas();
    void definitionMismatchRefused();
    void otherCampaignRefused();
    void twoStoresInOneFolder();
    void openExistingMissing();
    void openExistingReadsStore();
    void newerSchemaRefused();
    void unusableDirectory();
    void defaultStateDirectory_data();
    void defaultStateDirectory();
    void countByState();
    void trialsIn();
    void noteAndScriptStart();
    void storeWithoutNoteColumnStaysReadable();
    void storeIdNamesTheTokens();
    void curveAndPrune();
    void prunedFromQueued();
    void inactiveTrialRefused_data();
    void inactiveTrialRefused();
    void pruneRequestedThenEndedOtherwise_data();
    void pruneRequestedThenEndedOtherwise();
    void stepsMustMatchTheCurve();
    void version1StoreUpgraded();
    void version1StoreReadOnly();

private:
    std::unique_ptr<TrialStore> openStore(const QString& directory, const Campaign& campaign = makeCampaign());
    QTemporaryDir m_tmp;
};

std::unique_ptr<TrialStore> TestTrialStore::openStore(const QString& directory, const Campaign& campaign)
{
    auto store = TrialStore::open(directory, campaign);
    if (!store) {
        qWarning("%s", qPrintable(store.error()));
        return nullptr;
    }
    return std::move(store).value();
}

void TestTrialStore::lifecycle()
{
    auto store = openStore(m_tmp.filePath(u"lifecycle"_s));
    QVERIFY(store);
    QVERIFY(QFile::exists(m_tmp.filePath(u"lifecycle/trials.db"_s)));

    const TrialLabels labels{2, u"up"_s, 7};
    auto added = store->addTrial(someValues(), labels);
    QVERIFY_RESULT(added);
    QCOMPARE(added->id, 1);
    QCOMPARE(toString(added->state), toString(TrialState::Planned));
    QCOMPARE(added->attempt, 0);
    QCOMPARE(added->labels.stage, 2);
    QCOMPARE(added->labels.direction, u"up"_s);
    QCOMPARE(added->labels.batch, 7);
    QVERIFY(added->createdAt.isValid());
    QCOMPARE(added->createdAt.timeSpec(), Qt::UTC);
    QVERIFY(!added->submittedAt.isValid());

    QVERIFY(store->markSubmitting(1));
    QCOMPARE(store->trial(1)->attempt, 1);
    QVERIFY(store->markQueued(1, u"4711"_s, at(10, 0, 0, 123)));
    QVERIFY(store->markRunning(1, at(10, 0, 1)));
    QVERIFY(store->markDone(1, 0.25, {0.5, 0.25}, at(10, 0, 3, 500)));

    auto done = store->trial(1);
    QVERIFY_RESULT(done);
    QCOMPARE(toString(done->state), toString(TrialState::Done));
    QCOMPARE(done->jobId, u"4711"_s);
    QCOMPARE(done->submittedAt, at(10, 0, 0, 123));
    QCOMPARE(done->submittedAt.timeSpec(), Qt::UTC);
    QCOMPARE(done->startedAt, at(10, 0, 1));
    QCOMPARE(done->finishedAt, at(10, 0, 3, 500));
    QCOMPARE(done->value, std::optional<double>(0.25));
    QCOMPARE(done->intermediate, (QList<double>{0.5, 0.25}));
    QCOMPARE(done->elapsedSeconds(), std::optional<double>(2.5));
    QVERIFY(done->error.isEmpty());

    auto history = store->history(1);
    QVERIFY_RESULT(history);
    QStringList states;
    for (const auto& change : history.value()) {
        QCOMPARE(change.trialId, 1);
        QCOMPARE(change.at.timeSpec(), Qt::UTC);
        states.append(toString(change.state));
    }
    QCOMPARE(states, (QStringList{u"planned"_s, u"submitting"_s, u"queued"_s, u"running"_s, u"done"_s}));
    QCOMPARE(history->at(2).at, at(10, 0, 0, 123));
    QVERIFY(history->at(2).note.contains(u"4711"_s));
    QCOMPARE(history->at(4).at, at(10, 0, 3, 500));

    QCOMPARE(store->integrityCheck().value(), u"ok"_s);
}

void TestTrialStore::failedKeepsPartialCurve()
{
    auto store = openStore(m_tmp.filePath(u"failed"_s));
    QVERIFY(store);
    QVERIFY(store->addTrial(someValues(), {}));
    QVERIFY(store->markSubmitting(1));
    // Seen running before any queue report: submitted_at is filled in.
    QVERIFY(store->markRunning(1, at(11, 0, 0)));
    QVERIFY(store->markFailed(1, u"exit code 137"_s, {3.0, 2.5}, at(11, 0, 10)));

    const auto failed = store->trial(1);
    QCOMPARE(toString(failed->state), toString(TrialState::Failed));
    QCOMPARE(failed->submittedAt, at(11, 0, 0));
    QCOMPARE(failed->error, u"exit code 137"_s);
    QCOMPARE(failed->intermediate, (QList<double>{3.0, 2.5}));
    QVERIFY(!failed->value);
    QCOMPARE(store->history(1)->last().note, u"exit code 137"_s);
}

void TestTrialStore::cancelledAndResubmitted()
{
    auto store = openStore(m_tmp.filePath(u"resubmit"_s));
    QVERIFY(store);
    QVERIFY(store->addTrial(someValues(), {}));
    QVERIFY(store->markSubmitting(1));
    QVERIFY(store->markResubmittable(1, u"token not found"_s));
    QCOMPARE(toString(store->trial(1)->state), toString(TrialState::Planned));
    QVERIFY(store->markSubmitting(1));
    QCOMPARE(store->trial(1)->attempt, 2);
    QVERIFY(store->markQueued(1, u"99"_s, at(12, 0, 0)));
    QVERIFY(store->markCancelled(1, u"stopped by the user"_s, at(12, 1, 0)));

    const auto cancelled = store->trial(1);
    QCOMPARE(toString(cancelled->state), toString(TrialState::Cancelled));
    QCOMPARE(cancelled->finishedAt, at(12, 1, 0));
    QCOMPARE(store->history(1)->size(), 6);
    QCOMPARE(store->history(1)->at(2).note, u"token not found"_s);
}

void TestTrialStore::transitions_data()
{
    QTest::addColumn<TrialState>("from");
    QTest::addColumn<TrialState>("to");
    for (TrialState from : allTrialStates()) {
        for (TrialState to : allTrialStates())
            QTest::addRow("%s -> %s", qPrintable(toString(from)), qPrintable(toString(to))) << from << to;
    }
}

void TestTrialStore::transitions()
{
    QFETCH(TrialState, from);
    QFETCH(TrialState, to);

    auto store = openStore(m_tmp.filePath(u"transitions"_s));
    QVERIFY(store);
    auto trial = store->addTrial(someValues(), {});
    QVERIFY(trial);
    const qint64 id = trial->id;
    for (TrialState step : pathTo(from))
        QVERIFY(apply(*store, id, step));
    QCOMPARE(toString(store->trial(id)->state), toString(from));
    const qsizetype events = store->history(id)->size();

    const Status status = apply(*store, id, to);
    if (legal(from, to)) {
        QVERIFY_RESULT(status);
        QCOMPARE(toString(store->trial(id)->state), toString(to));
        // Pruning is two entries: the request and the end.
        QCOMPARE(store->history(id)->size(), events + (to == TrialState::Pruned ? 2 : 1));
    } else {
        QVERIFY(!status.ok());
        QCOMPARE(status.error(), u"trial %1: cannot go from %2 to %3"_s.arg(id).arg(toString(from), toString(to)));
        QCOMPARE(toString(store->trial(id)->state), toString(from)); // nothing half-written
        QCOMPARE(store->history(id)->size(), events);
    }
}

void TestTrialStore::unknownTrial()
{
    auto store = openStore(m_tmp.filePath(u"unknown"_s));
    QVERIFY(store);
    const Status status = store->markSubmitting(42);
    QVERIFY(!status.ok());
    QCOMPARE(status.error(), u"trial 42: no such trial"_s);
    QVERIFY(!store->trial(42).ok());
}

void TestTrialStore::typedValuesRoundTrip_data()
{
    QTest::addColumn<QVariant>("value");
    QTest::addRow("int") << QVariant(qint64(42));
    QTest::addRow("negative int") << QVariant(qint64(-7));
    QTest::addRow("int beyond double precision") << QVariant(qint64(9007199254740993));
    QTest::addRow("int64 max") << QVariant(std::numeric_limits<qint64>::max());
    QTest::addRow("int64 min") << QVariant(std::numeric_limits<qint64>::min());
    QTest::addRow("0.1") << QVariant(0.1);
    QTest::addRow("1e-300") << QVariant(1e-300);
    QTest::addRow("denormal") << QVariant(5e-324);
    QTest::addRow("largest double") << QVariant(1.7976931348623157e308);
    QTest::addRow("1.0 stays a float") << QVariant(1.0);
    QTest::addRow("-0.5") << QVariant(-0.5);
    QTest::addRow("third") << QVariant(1.0 / 3.0);
    QTest::addRow("quotes") << QVariant(u"he said \"hi\", 'bye'"_s);
    QTest::addRow("backslashes and newline") << QVariant(u"a\\b\nc\td"_s);
    QTest::addRow("unicode") << QVariant(u"λ=ü 日本 😀"_s);
    QTest::addRow("digits stay text") << QVariant(u"123"_s);
    QTest::addRow("empty text") << QVariant(QString());
}

void TestTrialStore::typedValuesRoundTrip()
{
    QFETCH(QVariant, value);
    const QString directory = m_tmp.filePath(u"typed"_s);
    qint64 id = 0;
    {
        auto store = openStore(directory);
        QVERIFY(store);
        auto added = store->addTrial({value, u"x"_s}, {});
        QVERIFY_RESULT(added);
        id = added->id;
    }
    // Read back through a fresh connection: what is on disk, not a cache.
    auto store = TrialStore::openExisting(directory);
    QVERIFY_RESULT(store);
    const auto trial = store.value()->trial(id);
    QVERIFY_RESULT(trial);
    QCOMPARE(trial->values.size(), 2);
    const QVariant back = trial->values.at(0);
    QCOMPARE(back.typeId(), value.typeId());
    if (value.typeId() == QMetaType::Double)
        QVERIFY2(back.toDouble() == value.toDouble(), qPrintable(QString::number(back.toDouble(), 'g', 17)));
    else
        QCOMPARE(back, value);
}

void TestTrialStore::metricValuesRoundTrip_data()
{
    QTest::addColumn<double>("value");
    QTest::addColumn<QList<double>>("curve");
    constexpr double inf = std::numeric_limits<double>::infinity();
    constexpr double nan = std::numeric_limits<double>::quiet_NaN();
    QTest::addRow("plain") << 0.1 + 0.2 << QList<double>{1e-300, 0.3};
    QTest::addRow("nan value") << nan << QList<double>{0.5, nan};
    QTest::addRow("infinities") << inf << QList<double>{-inf, inf};
    QTest::addRow("empty curve") << -1e300 << QList<double>{};
}

void TestTrialStore::metricValuesRoundTrip()
{
    QFETCH(double, value);
    QFETCH(QList<double>, curve);
    auto store = openStore(m_tmp.filePath(u"metric"_s));
    QVERIFY(store);
    const qint64 id = store->addTrial(someValues(), {})->id;
    for (TrialState step : pathTo(TrialState::Running))
        QVERIFY(apply(*store, id, step));
    QVERIFY(store->markDone(id, value, curve, at(10, 0, 5)));

    const auto trial = store->trial(id);
    QVERIFY_RESULT(trial);
    QVERIFY(trial->value.has_value());
    const auto same = [](double a, double b) { return (std::isnan(a) && std::isnan(b)) || a == b; };
    QVERIFY(same(*trial->value, value));
    QCOMPARE(trial->intermediate.size(), curve.size());
    for (qsizetype i = 0; i < curve.size(); ++i)
        QVERIFY(same(trial->intermediate.at(i), curve.at(i)));
}

void TestTrialStore::tokensAreJobNames()
{
    auto store = openStore(m_tmp.filePath(u"tokens"_s));
    QVERIFY(store);
    static const QRegularExpression shape(u"^sw[0-9a-f]{8}-(\\d+)$"_s);
    QSet<QString> tokens;
    QString prefix;
    for (int i = 0; i < 5; ++i) {
        const auto trial = store->addTrial(someValues(), {});
        QVERIFY(trial);
        const auto match = shape.match(trial->token);
        QVERIFY2(match.hasMatch(), qPrintable(trial->token));
        QCOMPARE(match.captured(1).toLongLong(), trial->id);
        const QString storePart = trial->token.section(u'-', 0, 0);
        QVERIFY(prefix.isEmpty() || prefix == storePart);
        prefix = storePart;
        tokens.insert(trial->token);
    }
    QCOMPARE(tokens.size(), 5);
}

void TestTrialStore::pragmas()
{
    {
        auto store = openStore(m_tmp.filePath(u"pragmas"_s));
        QVERIFY(store);
        // synchronous and busy_timeout are per connection: ask the store's own connection.
        const QString connection = storeConnection();
        QVERIFY(!connection.isEmpty());
        QCOMPARE(RawDatabase::scalarOn(connection, u"PRAGMA journal_mode"_s).toString(), u"wal"_s);
        QCOMPARE(RawDatabase::scalarOn(connection, u"PRAGMA synchronous"_s).toInt(), 2); // FULL
        QCOMPARE(RawDatabase::scalarOn(connection, u"PRAGMA foreign_keys"_s).toInt(), 1);
        QCOMPARE(RawDatabase::scalarOn(connection, u"PRAGMA busy_timeout"_s).toInt(), 5000);
        QCOMPARE(RawDatabase::scalarOn(connection, u"PRAGMA user_version"_s).toInt(), 2);
    }
    QVERIFY2(storeConnection().isEmpty(), "the connection is removed with the store");

    // WAL is a property of the file: a fresh outside connection sees it too.
    RawDatabase raw(m_tmp.filePath(u"pragmas/trials.db"_s));
    QVERIFY(raw.ok());
    QCOMPARE(raw.scalar(u"PRAGMA journal_mode"_s).toString(), u"wal"_s);
}

void TestTrialStore::definitionMismatchRefused()
{
    const QString directory = m_tmp.filePath(u"mismatch"_s);
    const Campaign original = makeCampaign();
    {
        auto store = openStore(directory, original);
        QVERIFY(store);
        QVERIFY(store->addTrial(someValues(), {}));
    }

    // Budget and parallelism are not part of the definition.
    Campaign bigger = original;
    bigger.search.maxTrials = 500;
    bigger.search.parallel = 8;
    QVERIFY2(TrialStore::open(directory, bigger).ok(), "a budget change is not a definition change");

    const Campaign changed = makeCampaign(u"digits"_s, u"python train2.py {lr} {layers} {opt}"_s);
    auto refused = TrialStore::open(directory, changed);
    QVERIFY(!refused.ok());
    const QString expectedStart =
        QDir(directory).absolutePath() + u" holds trials of a different definition of this campaign (changed: "_s;
    QVERIFY2(refused.error().startsWith(expectedStart), qPrintable(refused.error()));
    QVERIFY2(refused.error().contains(u"job.command"_s), qPrintable(refused.error()));
    QVERIFY2(refused.error().endsWith(
                 u"). Run with --accept-changed-definition to continue with the new definition, or use --store to "
                 "start a separate store."_s),
             qPrintable(refused.error()));

    {
        auto accepted = TrialStore::open(directory, changed, TrialStore::DefinitionPolicy::AcceptChanged);
        QVERIFY_RESULT(accepted);
        QCOMPARE(accepted.value()->campaignJson(), toJson(changed));
        QCOMPARE(accepted.value()->trials()->size(), 1); // the old trials stay
    }
    // The new definition is now the store's: it opens without the flag, the old one does not.
    QVERIFY(TrialStore::open(directory, changed).ok());
    QVERIFY(!TrialStore::open(directory, original).ok());

    RawDatabase raw(QDir(directory).filePath(u"trials.db"_s));
    QVERIFY(raw.scalar(u"SELECT value FROM meta WHERE key = 'definition_changed_at'"_s).isValid());
    QCOMPARE(raw.scalar(u"SELECT value FROM meta WHERE key = 'fingerprint'"_s).toString(),
             definitionFingerprint(changed));
}

void TestTrialStore::otherCampaignRefused()
{
    const QString directory = m_tmp.filePath(u"other"_s);
    QVERIFY(openStore(directory, makeCampaign(u"digits"_s)));
    auto refused = TrialStore::open(directory, makeCampaign(u"letters"_s));
    QVERIFY(!refused.ok());
    QVERIFY2(refused.error().contains(u"\"digits\""_s), qPrintable(refused.error()));
    QVERIFY2(refused.error().contains(u"--store"_s), qPrintable(refused.error()));
    auto accepted =
        TrialStore::open(directory, makeCampaign(u"letters"_s), TrialStore::DefinitionPolicy::AcceptChanged);
    QVERIFY_RESULT(accepted);
}

void TestTrialStore::twoStoresInOneFolder()
{
    const QString folder = m_tmp.filePath(u"folder"_s);
    const QString first = sweepline::model::defaultStateDirectory(folder + u"/digits.json"_s);
    const QString second = sweepline::model::defaultStateDirectory(folder + u"/letters.json"_s);
    QVERIFY(first != second);

    auto a = openStore(first, makeCampaign(u"digits"_s));
    auto b = openStore(second, makeCampaign(u"letters"_s));
    QVERIFY(a && b);
    const auto a1 = a->addTrial(someValues(), {});
    const auto b1 = b->addTrial(someValues(), {});
    const auto a2 = a->addTrial(someValues(), {});
    QVERIFY(a1 && b1 && a2);
    QCOMPARE(a1->id, 1);
    QCOMPARE(b1->id, 1);
    QCOMPARE(a2->id, 2);
    QVERIFY(a1->token != b1->token); // both may run on one cluster at once
    QVERIFY(a->markSubmitting(1));
    QCOMPARE(a->trials()->size(), 2);
    QCOMPARE(b->trials()->size(), 1);
    QCOMPARE(toString(b->trial(1)->state), toString(TrialState::Planned));
    QVERIFY(QFile::exists(first + u"/trials.db"_s));
    QVERIFY(QFile::exists(second + u"/trials.db"_s));
}

void TestTrialStore::openExistingMissing()
{
    const QString directory = m_tmp.filePath(u"never-created"_s);
    auto store = TrialStore::openExisting(directory);
    QVERIFY(!store.ok());
    QCOMPARE(store.error(), u"no state for this campaign yet: %1"_s.arg(QDir(directory).absolutePath()));
    QVERIFY2(!QFileInfo::exists(directory), "looking must not create anything");
}

void TestTrialStore::openExistingReadsStore()
{
    const QString directory = m_tmp.filePath(u"existing"_s);
    const Campaign campaign = makeCampaign();
    {
        auto store = openStore(directory, campaign);
        QVERIFY(store);
        QVERIFY(store->addTrial(someValues(), {}));
    }
    auto store = TrialStore::openExisting(directory);
    QVERIFY_RESULT(store);
    QCOMPARE(store.value()->directory(), QDir(directory).absolutePath());
    QCOMPARE(store.value()->campaignJson(), toJson(campaign));
    QCOMPARE(store.value()->trials()->size(), 1);
}

void TestTrialStore::newerSchemaRefused()
{
    const QString directory = m_tmp.filePath(u"newer"_s);
    QVERIFY(openStore(directory));
    {
        RawDatabase raw(QDir(directory).filePath(u"trials.db"_s));
        QVERIFY(raw.exec(u"PRAGMA user_version = 3"_s));
    }
    const QStringList errors{TrialStore::open(directory, makeCampaign()).error(),
                             TrialStore::openExisting(directory).error()};
    for (const QString& error : errors) {
        QVERIFY2(error.contains(u"newer version of Sweepline"_s), qPrintable(error));
        QVERIFY2(error.contains(u"format 3"_s), qPrintable(error));
    }
}

void TestTrialStore::unusableDirectory()
{
    const QString file = m_tmp.filePath(u"a-file"_s);
    QFile out(file);
    QVERIFY(out.open(QIODevice::WriteOnly));
    out.close();
    auto store = TrialStore::open(file + u"/state"_s, makeCampaign());
    QVERIFY(!store.ok());
    QVERIFY2(store.error().contains(u"cannot create the state directory"_s), qPrintable(store.error()));
}

void TestTrialStore::defaultStateDirectory_data()
{
    QTest::addColumn<QString>("campaign");
    QTest::addColumn<QString>("expected");
    QTest::addRow("json") << u"/a/b/digits.json"_s << u"/a/b/digits.sweepline"_s;
    QTest::addRow("other suffix") << u"/a/b/digits.yaml"_s << u"/a/b/digits.sweepline"_s;
    QTest::addRow("only the last suffix") << u"/a/b/x.tar.gz"_s << u"/a/b/x.tar.sweepline"_s;
    QTest::addRow("no suffix") << u"/a/b/digits"_s << u"/a/b/digits.sweepline"_s;
    QTest::addRow("dot in folder only") << u"/a/b.c/digits"_s << u"/a/b.c/digits.sweepline"_s;
    QTest::addRow("relative") << u"digits.json"_s << u"digits.sweepline"_s;
    QTest::addRow("relative folder") << u"runs/digits.json"_s << u"runs/digits.sweepline"_s;
    QTest::addRow("hidden file") << u"/a/.hidden"_s << u"/a/.hidden.sweepline"_s;
}

void TestTrialStore::defaultStateDirectory()
{
    QFETCH(QString, campaign);
    QFETCH(QString, expected);
    QCOMPARE(sweepline::model::defaultStateDirectory(campaign), expected);
}

void TestTrialStore::countByState()
{
    auto store = openStore(m_tmp.filePath(u"counts"_s));
    QVERIFY(store);
    auto empty = store->countByState();
    QVERIFY_RESULT(empty);
    QCOMPARE(empty->size(), allTrialStates().size());
    for (TrialState state : allTrialStates())
        QCOMPARE(empty->value(state, -1), 0);

    // One trial per state, two in Running.
    QList<TrialState> wanted = allTrialStates();
    wanted.append(TrialState::Running);
    for (TrialState state : wanted) {
        const qint64 id = store->addTrial(someValues(), {})->id;
        for (TrialState step : pathTo(state))
            QVERIFY(apply(*store, id, step));
    }
    const auto counts = store->countByState();
    QVERIFY(counts);
    for (TrialState state : allTrialStates())
        QCOMPARE(counts->value(state), state == TrialState::Running ? 2 : 1);
}

void TestTrialStore::trialsIn()
{
    auto store = openStore(m_tmp.filePath(u"in"_s));
    QVERIFY(store);
    for (TrialState state : {TrialState::Running, TrialState::Done, TrialState::Queued, TrialState::Planned}) {
        const qint64 id = store->addTrial(someValues(), {})->id;
        for (TrialState step : pathTo(state))
            QVERIFY(apply(*store, id, step));
    }
    const auto active = store->trialsIn({TrialState::Queued, TrialState::Running});
    QVERIFY_RESULT(active);
    QCOMPARE(active->size(), 2);
    QCOMPARE(active->at(0).id, 1);
    QCOMPARE(active->at(1).id, 3);
    QVERIFY(store->trialsIn({})->isEmpty());
    QCOMPARE(store->trials()->size(), 4);
}

// A result that rests on part of the run says so; the job script's own start time replaces the one a
// poll saw, and only while the trial runs.
void TestTrialStore::noteAndScriptStart()
{
    auto store = openStore(m_tmp.filePath(u"note"_s));
    QVERIFY(store);
    QVERIFY(store->addTrial(someValues(), {}));
    QVERIFY(store->correctStartedAt(1, at(11, 0, 0)));
    QVERIFY(!store->trial(1)->startedAt.isValid()); // not running yet: nothing to correct
    QVERIFY(store->markSubmitting(1));
    QVERIFY(store->markRunning(1, at(11, 0, 5)));
    QVERIFY(store->correctStartedAt(1, at(11, 0, 1)));
    QVERIFY(!store->correctStartedAt(1, QDateTime()));
    QVERIFY(store->markDone(1, 0.5, {0.5}, at(11, 0, 10), u"from the tail"_s));
    QVERIFY(store->correctStartedAt(1, at(11, 0, 3))); // a finished trial keeps its times
    const auto done = store->trial(1);
    QCOMPARE(done->startedAt, at(11, 0, 1));
    QCOMPARE(done->note, u"from the tail"_s);
    QCOMPARE(*done->elapsedSeconds(), 9.0);
}

// A store written before trials had a note: it opens (for a run and for status), gains the column
// when opened for writing (never when read-only), and keeps every trial.
void TestTrialStore::storeWithoutNoteColumnStaysReadable()
{
    const QString directory = m_tmp.filePath(u"old"_s);
    {
        auto store = openStore(directory);
        QVERIFY(store);
        QVERIFY(store->addTrial(someValues(), {}));
    }
    {
        QSqlDatabase db = QSqlDatabase::addDatabase(u"QSQLITE"_s, u"old-format"_s);
        db.setDatabaseName(QDir(directory).filePath(u"trials.db"_s));
        QVERIFY(db.open());
        QSqlQuery drop(db);
        QVERIFY(drop.exec(u"ALTER TABLE trials DROP COLUMN note"_s));
        db.close();
    }
    QSqlDatabase::removeDatabase(u"old-format"_s);
    const QString columnCount = u"SELECT COUNT(*) FROM pragma_table_info('trials')"_s;
    const int oldColumns = RawDatabase(QDir(directory).filePath(u"trials.db"_s)).scalar(columnCount).toInt();
    {
        auto reading = TrialStore::openExisting(directory, TrialStore::Access::ReadOnly);
        QVERIFY_RESULT(reading);
        QCOMPARE(reading.value()->trials()->size(), 1);
        QVERIFY(reading.value()->trial(1)->note.isEmpty());
        QVERIFY_FAILS_WITH(reading.value()->markSubmitting(1), ErrorCode::Io); // read-only: every change fails
    }
    QCOMPARE(RawDatabase(QDir(directory).filePath(u"trials.db"_s)).scalar(columnCount).toInt(), oldColumns);
    auto existing = TrialStore::openExisting(directory);
    QVERIFY_RESULT(existing);
    QCOMPARE(existing.value()->trials()->size(), 1);
    QVERIFY(existing.value()->trial(1)->note.isEmpty());
    existing.value().reset();
    auto store = openStore(directory);
    QVERIFY(store);
    QVERIFY(store->markSubmitting(1));
    QVERIFY(store->markFailed(1, u"x"_s, {}, at(11, 0, 0), u"a note"_s));
    QCOMPARE(store->trial(1)->note, u"a note"_s);
}

void TestTrialStore::storeIdNamesTheTokens()
{
    auto one = openStore(m_tmp.filePath(u"id1"_s));
    auto two = openStore(m_tmp.filePath(u"id2"_s));
    QVERIFY(one && two);
    QCOMPARE(one->storeId().size(), 8);
    QVERIFY(one->storeId() != two->storeId());
    QCOMPARE(one->addTrial(someValues(), {})->token, u"sw%1-1"_s.arg(one->storeId()));
}

// A running trial's curve is replaced as it grows, without a history entry; the stop is asked for
// (the trial stays running) and the end is recorded pruned with the whole curve and no value.
void TestTrialStore::curveAndPrune()
{
    const QString directory = m_tmp.filePath(u"prune"_s);
    auto store = openStore(directory);
    QVERIFY(store);
    QCOMPARE(addTrialIn(*store, TrialState::Running), 1);
    const qsizetype events = store->history(1)->size();

    QVERIFY_RESULT(store->recordCurve(1, {0.9, 0.7}, {10, 20}, 64));
    auto running = store->trial(1);
    QVERIFY_RESULT(running);
    QCOMPARE(running->intermediate, (QList<double>{0.9, 0.7}));
    QCOMPARE(running->steps, (QList<int>{10, 20}));
    QCOMPARE(running->curveOffset, 64);
    QVERIFY(!running->pruneAt);
    QCOMPARE(store->history(1)->size(), events);
    QVERIFY_RESULT(store->recordCurve(1, {0.9, 0.7, 0.6}, {10, 20, 30}, 96));
    QCOMPARE(store->trial(1)->intermediate, (QList<double>{0.9, 0.7, 0.6}));
    QCOMPARE(store->trial(1)->curveOffset, 96);

    QVERIFY_RESULT(store->markPruneRequested(1, {30, 0.6}));
    running = store->trial(1);
    QCOMPARE(toString(running->state), toString(TrialState::Running));
    QCOMPARE(running->pruneAt, std::optional<CurvePoint>(CurvePoint{30, 0.6}));
    QCOMPARE(running->curveOffset, 96);
    auto history = store->history(1);
    QCOMPARE(history->size(), events + 1);
    QCOMPARE(toString(history->last().state), toString(TrialState::Running));
    QCOMPARE(history->last().note, u"stop requested at step 30 (value 0.6)"_s);

    // Asked once: a second request (a resumed engine judging again) is refused and changes nothing.
    QVERIFY_FAILS_WITH(store->markPruneRequested(1, {40, 0.5}), ErrorCode::Failed);
    QCOMPARE(store->trial(1)->pruneAt, std::optional<CurvePoint>(CurvePoint{30, 0.6}));
    QCOMPARE(store->history(1)->size(), events + 1);
    // The curve may still grow while the cancel travels.
    QVERIFY_RESULT(store->recordCurve(1, {0.9, 0.7, 0.6, 0.55}, {10, 20, 30, 40}, 128));

    QVERIFY_RESULT(store->markPruned(1, {0.9, 0.7, 0.6, 0.55, 0.5}, {10, 20, 30, 40, 50}, at(10, 5, 0)));
    QVERIFY_FAILS_WITH(store->recordCurve(1, {0.1}, {}, 10), ErrorCode::Failed);
    store.reset();

    // Read back through a fresh connection: what is on disk.
    auto reopened = TrialStore::openExisting(directory);
    QVERIFY_RESULT(reopened);
    const auto pruned = reopened.value()->trial(1);
    QVERIFY_RESULT(pruned);
    QCOMPARE(toString(pruned->state), toString(TrialState::Pruned));
    QVERIFY(!pruned->value);
    QCOMPARE(pruned->intermediate, (QList<double>{0.9, 0.7, 0.6, 0.55, 0.5}));
    QCOMPARE(pruned->steps, (QList<int>{10, 20, 30, 40, 50}));
    QCOMPARE(pruned->curveOffset, 0);
    QCOMPARE(pruned->pruneAt, std::optional<CurvePoint>(CurvePoint{30, 0.6}));
    QCOMPARE(pruned->finishedAt, at(10, 5, 0));
    QVERIFY(pruned->error.isEmpty());
    QVERIFY(pruned->note.isEmpty());
    history = reopened.value()->history(1);
    QCOMPARE(toString(history->last().state), toString(TrialState::Pruned));
    QCOMPARE(history->last().at, at(10, 5, 0));
    QCOMPARE(history->last().note, u"stopped at step 30 (value 0.6)"_s);
    QCOMPARE(reopened.value()->trials()->first().pruneAt, pruned->pruneAt);
    QCOMPARE(reopened.value()->countByState()->value(TrialState::Pruned), 1);
    QCOMPARE(countFinished(reopened.value()->trials().value()), 1);
    QCOMPARE(reopened.value()->integrityCheck().value(), u"ok"_s);
}

void TestTrialStore::prunedFromQueued()
{
    auto store = openStore(m_tmp.filePath(u"prune-queued"_s));
    QVERIFY(store);
    QCOMPARE(addTrialIn(*store, TrialState::Queued), 1);
    QVERIFY_RESULT(store->recordCurve(1, {3.0}, {}, 9));
    QVERIFY_RESULT(store->markPruneRequested(1, {1, 3.0}));
    QVERIFY_RESULT(store->markPruned(1, {3.0}, {}, at(10, 1, 0), u"from the tail"_s));
    const auto pruned = store->trial(1);
    QCOMPARE(toString(pruned->state), toString(TrialState::Pruned));
    QVERIFY(pruned->steps.isEmpty());
    QCOMPARE(pruned->curve(), (QList<CurvePoint>{{1, 3.0}}));
    QCOMPARE(pruned->note, u"from the tail"_s);
    QCOMPARE(store->history(1)->last().note, u"from the tail"_s);
}

// Only a queued or running trial takes a curve or a stop request.
void TestTrialStore::inactiveTrialRefused_data()
{
    QTest::addColumn<TrialState>("state");
    for (TrialState state : allTrialStates()) {
        if (state != TrialState::Queued && state != TrialState::Running)
            QTest::addRow("%s", qPrintable(toString(state))) << state;
    }
}

void TestTrialStore::inactiveTrialRefused()
{
    QFETCH(TrialState, state);
    auto store = openStore(m_tmp.filePath(u"inactive-refused"_s));
    QVERIFY(store);
    const qint64 id = addTrialIn(*store, state);
    QVERIFY(id > 0);
    const qsizetype events = store->history(id)->size();
    const auto before = store->trial(id);
    const Status curve = store->recordCurve(id, {1.0, 2.0, 3.0, 4.0}, {}, 100);
    QVERIFY_FAILS_WITH(curve, ErrorCode::Failed);
    QCOMPARE(curve.error(), u"trial %1: cannot record a curve of a %2 trial"_s.arg(id).arg(toString(state)));
    QCOMPARE(store->trial(id)->intermediate, before->intermediate);
    QCOMPARE(store->trial(id)->curveOffset, 0);
    QVERIFY_FAILS_WITH(store->recordCurve(id + 100, {1.0}, {}, 1), ErrorCode::NotFound);
    const Status status = store->markPruneRequested(id, {3, 0.5});
    QVERIFY_FAILS_WITH(status, ErrorCode::Failed);
    QCOMPARE(status.error(), u"trial %1: cannot stop a %2 trial"_s.arg(id).arg(toString(state)));
    QCOMPARE(store->trial(id)->pruneAt, before->pruneAt);
    QCOMPARE(store->history(id)->size(), events);
    QVERIFY_FAILS_WITH(store->markPruneRequested(id + 100, {3, 0.5}), ErrorCode::NotFound);

    // Pruned without a request: refused from every state, running ones included.
    const qint64 running = addTrialIn(*store, TrialState::Running);
    QVERIFY(running > 0);
    const Status unasked = store->markPruned(running, {1.0}, {}, at(10, 0, 0));
    QVERIFY_FAILS_WITH(unasked, ErrorCode::Failed);
    QCOMPARE(unasked.error(), u"trial %1: cannot be pruned, its stop was never requested"_s.arg(running));
    QCOMPARE(toString(store->trial(running)->state), toString(TrialState::Running));
    QVERIFY_FAILS_WITH(store->markPruned(running + 100, {1.0}, {}, at(10, 0, 0)), ErrorCode::NotFound);
}

// The job finished (or failed, or was cancelled otherwise) before the stop reached it: the row no
// longer says it was stopped, the history still shows the request.
void TestTrialStore::pruneRequestedThenEndedOtherwise_data()
{
    QTest::addColumn<TrialState>("end");
    QTest::addRow("done") << TrialState::Done;
    QTest::addRow("failed") << TrialState::Failed;
    QTest::addRow("cancelled") << TrialState::Cancelled;
}

void TestTrialStore::pruneRequestedThenEndedOtherwise()
{
    QFETCH(TrialState, end);
    auto store = openStore(m_tmp.filePath(u"prune-otherwise"_s));
    QVERIFY(store);
    const qint64 id = addTrialIn(*store, TrialState::Running);
    QVERIFY(id > 0);
    QVERIFY_RESULT(store->recordCurve(id, {0.9, 0.8}, {}, 40));
    QVERIFY_RESULT(store->markPruneRequested(id, {2, 0.8}));
    QVERIFY_RESULT(apply(*store, id, end));
    const auto ended = store->trial(id);
    QCOMPARE(toString(ended->state), toString(end));
    QVERIFY(!ended->pruneAt);
    QCOMPARE(ended->curveOffset, 0);
    if (end == TrialState::Cancelled)
        QCOMPARE(ended->intermediate, (QList<double>{0.9, 0.8})); // the curve read while it ran stays
    bool requestKept = false;
    const auto history = store->history(id);
    QVERIFY_RESULT(history);
    for (const auto& change : history.value())
        requestKept = requestKept || change.note == u"stop requested at step 2 (value 0.8)"_s;
    QVERIFY(requestKept);
    QVERIFY_FAILS_WITH(store->markPruned(id, {1.0}, {}, at(10, 0, 0)), ErrorCode::Failed);
}

void TestTrialStore::stepsMustMatchTheCurve()
{
    auto store = openStore(m_tmp.filePath(u"steps"_s));
    QVERIFY(store);
    const qint64 id = addTrialIn(*store, TrialState::Running);
    QVERIFY(id > 0);
    QVERIFY_FAILS_WITH(store->recordCurve(id, {1.0, 2.0}, {5}, 10), ErrorCode::InvalidInput);
    QVERIFY_FAILS_WITH(store->recordCurve(id, {1.0}, {}, -1), ErrorCode::InvalidInput);
    QVERIFY_FAILS_WITH(store->markDone(id, 2.0, {1.0, 2.0}, at(10, 0, 0), {}, {5}), ErrorCode::InvalidInput);
    QVERIFY_FAILS_WITH(store->markFailed(id, u"x"_s, {1.0}, at(10, 0, 0), {}, {5, 6}), ErrorCode::InvalidInput);
    QCOMPARE(toString(store->trial(id)->state), toString(TrialState::Running));
    QVERIFY(store->trial(id)->intermediate.isEmpty());

    QVERIFY_RESULT(store->markDone(id, 2.0, {1.0, 2.0}, at(10, 0, 0), {}, {5, 10}));
    const auto done = store->trial(id);
    QCOMPARE(done->steps, (QList<int>{5, 10}));
    QCOMPARE(done->curve(), (QList<CurvePoint>{{5, 1.0}, {10, 2.0}}));

    const qint64 failed = store->addTrial(someValues(), {})->id;
    QVERIFY(store->markSubmitting(failed));
    QVERIFY_RESULT(store->markFailed(failed, u"x"_s, {1.0}, at(10, 0, 0), {}, {7}));
    QCOMPARE(store->trial(failed)->steps, (QList<int>{7}));
}

// A store of format 1 (before curves had steps): opened for a run it gains the columns and the new
// format number in one transaction, keeps every trial and history entry, and its trials then take
// curves and stops like any other.
void TestTrialStore::version1StoreUpgraded()
{
    for (const bool throughOpenExisting : {false, true}) {
        const QString directory = m_tmp.filePath(throughOpenExisting ? u"v1-existing"_s : u"v1-open"_s);
        QVERIFY(writeVersion1Store(directory, makeCampaign()));
        const QString database = QDir(directory).filePath(u"trials.db"_s);
        QVERIFY(!columnsOf(database).contains(u"steps"_s));

        auto opened =
            throughOpenExisting ? TrialStore::openExisting(directory) : TrialStore::open(directory, makeCampaign());
        QVERIFY_RESULT(opened);
        TrialStore& store = *opened.value();
        QCOMPARE(RawDatabase(database).scalar(u"PRAGMA user_version"_s).toInt(), 2);
        const QStringList columns = columnsOf(database);
        for (const QString& column : {u"note"_s, u"steps"_s, u"curve_offset"_s, u"prune_step"_s, u"prune_value"_s})
            QVERIFY2(columns.contains(column), qPrintable(column));
        QCOMPARE(store.storeId(), u"0123abcd"_s);

        const auto trials = store.trials();
        QVERIFY_RESULT(trials);
        QCOMPARE(trials->size(), 3);
        const TrialRecord& done = trials->at(0);
        QCOMPARE(toString(done.state), toString(TrialState::Done));
        QCOMPARE(done.value, std::optional<double>(0.25));
        QCOMPARE(done.curve(), (QList<CurvePoint>{{1, 0.5}, {2, 0.25}}));
        QVERIFY(done.steps.isEmpty());
        QCOMPARE(done.curveOffset, 0);
        QVERIFY(!done.pruneAt);
        QCOMPARE(done.note, u"from the tail"_s);
        QCOMPARE(store.history(1)->size(), 2);

        QVERIFY_RESULT(store.recordCurve(2, {0.9}, {100}, 20));
        QVERIFY_RESULT(store.markPruneRequested(2, {100, 0.9}));
        QVERIFY_RESULT(store.markPruned(2, {0.9}, {100}, at(10, 0, 0)));
        QCOMPARE(store.countByState()->value(TrialState::Pruned), 1);
        QCOMPARE(store.addTrial(someValues(), {})->id, 4);
        QCOMPARE(store.integrityCheck().value(), u"ok"_s);
        opened.value().reset();
        // Upgraded once: opening again changes nothing and reads the same.
        auto again = TrialStore::open(directory, makeCampaign());
        QVERIFY_RESULT(again);
        QCOMPARE(again.value()->trial(2)->pruneAt, std::optional<CurvePoint>(CurvePoint{100, 0.9}));
        QCOMPARE(columnsOf(database), columns);
    }
}

// status and export of a format-1 store in read-only mode: read as it is, not upgraded, not written.
void TestTrialStore::version1StoreReadOnly()
{
    const QString directory = m_tmp.filePath(u"v1-readonly"_s);
    QVERIFY(writeVersion1Store(directory, makeCampaign()));
    const QString database = QDir(directory).filePath(u"trials.db"_s);
    const auto fileHash = [&database]() {
        QFile file(database);
        return file.open(QIODevice::ReadOnly) ? QCryptographicHash::hash(file.readAll(), QCryptographicHash::Sha256)
                                              : QByteArray();
    };
    const QByteArray before = fileHash();
    QVERIFY(!before.isEmpty());
    const QStringList columnsBefore = columnsOf(database);
    {
        auto reading = TrialStore::openExisting(directory, TrialStore::Access::ReadOnly);
        QVERIFY_RESULT(reading);
        const auto trials = reading.value()->trials();
        QVERIFY_RESULT(trials);
        QCOMPARE(trials->size(), 3);
        QCOMPARE(trials->at(0).value, std::optional<double>(0.25));
        QCOMPARE(trials->at(0).note, u"from the tail"_s);
        for (const TrialRecord& trial : trials.value()) {
            QVERIFY(trial.steps.isEmpty());
            QCOMPARE(trial.curveOffset, 0);
            QVERIFY(!trial.pruneAt);
        }
        QCOMPARE(toString(reading.value()->trial(2)->state), toString(TrialState::Running));
        QCOMPARE(reading.value()->countByState()->value(TrialState::Running), 1);
        QCOMPARE(reading.value()->countByState()->value(TrialState::Pruned), 0);
        QVERIFY_FAILS_WITH(reading.value()->recordCurve(2, {1.0}, {}, 5), ErrorCode::Io);
        QVERIFY_FAILS_WITH(reading.value()->markPruneRequested(2, {1, 1.0}), ErrorCode::Io);
    }
    QCOMPARE(RawDatabase(database).scalar(u"PRAGMA user_version"_s).toInt(), 1);
    QCOMPARE(columnsOf(database), columnsBefore);
    QCOMPARE(fileHash(), before);
}

QTEST_GUILESS_MAIN(TestTrialStore)
#include "tst_trialstore.moc"
