// Hostile parameter values go through the whole engine (campaign, job script, local backend) and
// must reach the program verbatim, without the shell ever interpreting them.
#include "engine/campaignrunner.h"
#include "engine/localbackend.h"
#include "model/campaign.h"
#include "model/trialstore.h"
#include "support/verifyresult.h"

#include <QtTest>

using namespace Qt::StringLiterals;

using namespace sweepline;

class TestQuoting : public QObject {
    Q_OBJECT

    static QStringList hostileValues()
    {
        return {
            u"x'; touch INJECTED; echo '"_s,
            u"$(touch INJECTED)"_s,
            u"`touch INJECTED`"_s,
            u"; touch INJECTED"_s,
            u"| touch INJECTED"_s,
            u"&& touch INJECTED"_s,
            u"> INJECTED"_s,
            u"\"; touch INJECTED; \""_s,
            u"${IFS}touch${IFS}INJECTED"_s,
            u"\\'$(touch INJECTED)\\'"_s,
            u"$HOME ~ * ?"_s,
            u"{mode}"_s,
            u"-rf"_s,
            u"%s %n"_s,
            u"  spaced  out  "_s,
            u""_s,
            u"tab\there"_s,
            u"ünïcödé ✓ 日本語"_s,
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
            {u"name"_s, u"quoting"_s},
            {u"parameters"_s,
             QJsonArray{QJsonObject{{u"name"_s, u"mode"_s}, {u"type"_s, u"choice"_s}, {u"values"_s, valueArray}}}},
            {u"objective"_s, QJsonObject{{u"metric"_s, u"loss"_s}}},
            {u"search"_s, QJsonObject{{u"strategy"_s, u"grid"_s}, {u"max_trials"_s, 100}, {u"parallel"_s, 4}}},
            {u"job"_s, QJsonObject{{u"command"_s, u"/usr/bin/printf '%s' {mode} > value.txt; echo loss: 1"_s}}},
        };
        auto parsed = model::parseCampaign(QJsonDocument(doc).toJson());
        QVERIFY2(parsed.campaign, qPrintable(parsed.issues.value(0).toString()));

        const QString stateDir = QDir(tmp.path()).filePath(u"quoting.sweepline"_s);
        auto store = model::TrialStore::open(stateDir, *parsed.campaign);
        QVERIFY_RESULT(store);
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
            QCOMPARE(model::toString(t.state), u"done"_s);
            QFile f(QDir(stateDir).filePath(u"runs/%1/value.txt"_s.arg(t.id)));
            QVERIFY(f.open(QIODevice::ReadOnly));
            QCOMPARE(QString::fromUtf8(f.readAll()), t.values.at(0).toString());
        }
        QDirIterator it(tmp.path(), {u"INJECTED"_s}, QDir::AllEntries | QDir::Hidden, QDirIterator::Subdirectories);
        QVERIFY2(!it.hasNext(), "a value was interpreted by the shell");
    }
};

QTEST_GUILESS_MAIN(TestQuoting)
#include "tst_quoting.moc"
