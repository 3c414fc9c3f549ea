// Hostile parameter values go through the whole engine (campaign, job script, local backend) and
// must reach the program verbatim, without the shell ever interpreting them.
#include "model/campaign.h"
#include "model/trialstore.h"
#include "engine/campaignrunner.h"
#include "engine/localbackend.h"

#include <QtTest>

using namespace sweepline;

class TestQuoting : public QObject {
    Q_OBJECT

    static QStringList hostileValues()
    {
        return {
            QStringLiteral("x'; touch INJECTED; echo '"),
            QStringLiteral("$(touch INJECTED)"),
            QStringLiteral("`touch INJECTED`"),
            QStringLiteral("; touch INJECTED"),
            QStringLiteral("| touch INJECTED"),
            QStringLiteral("&& touch INJECTED"),
            QStringLiteral("> INJECTED"),
            QStringLiteral("\"; touch INJECTED; \""),
            QStringLiteral("${IFS}touch${IFS}INJECTED"),
            QStringLiteral("\\'$(touch INJECTED)\\'"),
            QStringLiteral("$HOME ~ * ?"),
            QStringLiteral("{mode}"),
            QStringLiteral("-rf"),
            QStringLiteral("%s %n"),
            QStringLiteral("  spaced  out  "),
            QStringLiteral(""),
            QStringLiteral("tab\there"),
            QStringLiteral("ünïcödé ✓ 日本語"),
        };
    }

private slots:
    void valuesReachTheProgramVerbatim()
    {
        QTemporaryDir tmp;
        QVERIFY(tmp.isValid());
        const QStringList values = hostileValues();
        QJsonArray valueArray;
        for (const QString& v : values)
            valueArray.append(v);
        const QJsonObject doc{
            {QStringLiteral("name"), QStringLiteral("quoting")},
            {QStringLiteral("parameters"), QJsonArray{QJsonObject{{QStringLiteral("name"), QStringLiteral("mode")},
                                                                  {QStringLiteral("type"), QStringLiteral("choice")},
                                                                  {QStringLiteral("values"), valueArray}}}},
            {QStringLiteral("objective"), QJsonObject{{QStringLiteral("metric"), QStringLiteral("loss")}}},
            {QStringLiteral("search"), QJsonObject{{QStringLiteral("strategy"), QStringLiteral("grid")},
                                                  {QStringLiteral("max_trials"), 100},
                                                  {QStringLiteral("parallel"), 4}}},
            {QStringLiteral("job"), QJsonObject{{QStringLiteral("command"),
                                                QStringLiteral("/usr/bin/printf '%s' {mode} > value.txt; echo loss: 1")}}},
        };
        auto parsed = model::parseCampaign(QJsonDocument(doc).toJson());
        QVERIFY2(parsed.campaign, qPrintable(parsed.issues.value(0).toString()));

        const QString stateDir = QDir(tmp.path()).filePath(QStringLiteral("quoting.sweepline"));
        auto store = model::TrialStore::open(stateDir, *parsed.campaign);
        QVERIFY2(store, qPrintable(store.error()));
        engine::LocalBackend backend;
        engine::CampaignRunner runner(*parsed.campaign, *store.value(), backend, stateDir);
        QSignalSpy finished(&runner, &engine::CampaignRunner::finished);
        const QString cwd = QDir::currentPath();
        QDir::setCurrent(tmp.path()); // an injected "touch" in the wrong place would land here
        QVERIFY(runner.start());
        QTRY_COMPARE_WITH_TIMEOUT(finished.size(), 1, 30000);
        QDir::setCurrent(cwd);

        auto trials = store.value()->trials();
        QVERIFY(trials);
        QCOMPARE(trials->size(), values.size());
        for (const model::TrialRecord& t : trials.value()) {
            QCOMPARE(model::toString(t.state), QStringLiteral("done"));
            QFile f(QDir(stateDir).filePath(QStringLiteral("runs/%1/value.txt").arg(t.id)));
            QVERIFY(f.open(QIODevice::ReadOnly));
            QCOMPARE(QString::fromUtf8(f.readAll()), t.values.at(0).toString());
        }
        QDirIterator it(tmp.path(), {QStringLiteral("INJECTED")}, QDir::AllEntries | QDir::Hidden, QDirIterator::Subdirectories);
        QVERIFY2(!it.hasNext(), "a value was interpreted by the shell");
    }
};

QTEST_GUILESS_MAIN(TestQuoting)
#include "tst_quoting.moc"
