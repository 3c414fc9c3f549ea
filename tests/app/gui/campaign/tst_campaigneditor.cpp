#include "gui/campaign/campaigneditor.h"
#include "gui/campaign/metrictest.h"
#include "gui/campaign/scriptpreview.h"
#include "support/verifyresult.h"

#include <QFile>
#include <QSignalSpy>
#include <QTemporaryDir>
#include <QTest>
#include <QUndoStack>

using namespace Qt::StringLiterals;
using namespace sweepline;
using namespace sweepline::gui;

namespace {

// The README's example, with files the test creates.
const QByteArray kDigits = R"({
  "name": "digits-mlp",
  "parameters": [
    {"name": "hidden", "type": "int", "values": [8, 16, 32, 64, 128], "default": 32},
    {"name": "learning_rate", "type": "float", "range": {"min": 0.0001, "max": 0.1, "count": 7, "log": true}, "default": 0.001},
    {"name": "batch_size", "type": "int", "range": {"min": 1, "max": 700, "step": 1}, "default": 256},
    {"name": "solver", "type": "choice", "values": ["sgd", "adam"], "default": "adam"}
  ],
  "objective": {"metric": "loss", "direction": "minimize"},
  "search": {"strategy": "grid", "max_trials": 100, "parallel": 4, "seed": 1},
  "job": {"command": "/usr/bin/python3 train.py --hidden {hidden} --lr {learning_rate}", "files": ["train.py"], "time_limit": "00:30:00"},
  "cluster": {"scheduler": "local"}
})";

QString writeFile(const QTemporaryDir& dir, const QString& name, const QByteArray& content)
{
    QString path = dir.filePath(name);
    QFile file(path);
    if (!file.open(QIODevice::WriteOnly) || file.write(content) != content.size())
        qFatal("cannot write %s", qPrintable(path));
    return path;
}

QByteArray canonical(const QByteArray& json)
{
    const model::ParseOutcome outcome = model::parseCampaign(json);
    if (!outcome.campaign)
        return "invalid: " + outcome.issues.value(0).toString().toUtf8();
    return model::toJson(*outcome.campaign);
}

QStringList paths(const QList<model::ValidationIssue>& issues)
{
    QStringList result;
    for (const auto& issue : issues)
        result.append(issue.path);
    return result;
}

} // namespace

class TestCampaignEditor : public QObject {
    Q_OBJECT
private slots:
    void templateIsValid();
    void loadAndSaveRoundTrip();
    void saveRefreshesFileChecks();
    void invalidFileOpensForFixing();
    void unreadableFileLeavesDocument();
    void undoRedoParameterRows();
    void undoRedoSettingsMergesTyping();
    void renameCarriesPlaceholder();
    void issuesAndValidity();
    void candidatesFollowEdits();
    void setClusterIsUndoable();
    void metricTest_data();
    void metricTest();
    void metricTestRefusesABadStepPattern();
    void scriptPreview_data();
    void scriptPreview();
};

void TestCampaignEditor::templateIsValid()
{
    CampaignEditor editor;
    QVERIFY2(editor.isValid(), qPrintable(editor.issues().value(0).toString()));
    const model::Campaign& c = editor.campaign();
    QCOMPARE(c.parameters.size(), 1);
    QCOMPARE(c.parameters.first().type, model::ParameterType::Int);
    QCOMPARE(c.objective.metric, u"loss"_s);
    QCOMPARE(c.search.strategy, u"grid"_s);
    QCOMPARE(c.cluster.scheduler, u"local"_s);
    QVERIFY(editor.runnableCampaign().has_value());
    QVERIFY(!editor.isModified());
    QCOMPARE(editor.undoStack()->count(), 0);
}

void TestCampaignEditor::loadAndSaveRoundTrip()
{
    QTemporaryDir dir;
    writeFile(dir, u"train.py"_s, "print('loss: 1')\n");
    const QString path = writeFile(dir, u"digits.json"_s, kDigits);
    CampaignEditor editor;
    QSignalSpy pathChanged(&editor, &CampaignEditor::sourcePathChanged);
    auto loaded = editor.load(path);
    QVERIFY_RESULT(loaded);
    QVERIFY(loaded.value().isEmpty());
    QVERIFY(editor.isValid());
    QCOMPARE(editor.sourcePath(), path);
    QCOMPARE(pathChanged.count(), 1);
    QCOMPARE(editor.campaign().parameters.at(2).candidates.size(), 700);

    const QString copy = dir.filePath(u"copy.json"_s);
    auto saved = editor.save(copy);
    QVERIFY_RESULT(saved);
    QFile file(copy);
    QVERIFY(file.open(QIODevice::ReadOnly));
    const QByteArray written = file.readAll();
    QCOMPARE(canonical(written), canonical(kDigits));
    // Ranges stay ranges: the file is as short as the user's.
    QVERIFY(written.contains("\"range\""));
    QVERIFY(!editor.isModified());
}

void TestCampaignEditor::saveRefreshesFileChecks()
{
    QTemporaryDir dir;
    QTemporaryDir elsewhere;
    writeFile(dir, u"train.py"_s, "");
    CampaignEditor editor;
    QVERIFY(editor.load(writeFile(dir, u"digits.json"_s, kDigits)).ok());
    QVERIFY(editor.isValid());
    QSignalSpy validity(&editor, &CampaignEditor::validityChanged);
    // Saved elsewhere, train.py is not beside the campaign any more: the validator says so.
    QVERIFY(editor.save(elsewhere.filePath(u"moved.json"_s)).ok());
    QCOMPARE(validity.count(), 1);
    QCOMPARE(validity.first().first().toBool(), false);
    QCOMPARE(paths(editor.issues()), QStringList{u"job.files[0]"_s});
    QVERIFY(editor.issues().first().message.startsWith(u"file not found"_s));
}

void TestCampaignEditor::invalidFileOpensForFixing()
{
    QTemporaryDir dir;
    QByteArray broken = kDigits;
    broken.replace("\"parallel\": 4", "\"parallel\": 0");
    broken.replace("\"files\": [\"train.py\"], ", "");
    const QString path = writeFile(dir, u"broken.json"_s, broken);
    CampaignEditor editor;
    auto loaded = editor.load(path);
    QVERIFY_RESULT(loaded);
    QCOMPARE(paths(loaded.value()), QStringList{u"search.parallel"_s});
    QCOMPARE(paths(editor.issues()), QStringList{u"search.parallel"_s});
    QCOMPARE(editor.issues().first().message, u"must be at least 1"_s);
    QCOMPARE(editor.campaign().search.parallel, 0);
    QCOMPARE(editor.campaign().parameters.size(), 4);

    editor.setParallel(2);
    QVERIFY(editor.isValid());
    QVERIFY(editor.isModified());
}

void TestCampaignEditor::unreadableFileLeavesDocument()
{
    QTemporaryDir dir;
    CampaignEditor editor;
    const QString before = QString::fromUtf8(model::toJson(editor.campaign()));
    auto missing = editor.load(dir.filePath(u"none.json"_s));
    QVERIFY(!missing.ok());
    QVERIFY2(missing.error().contains(u"none.json"_s), qPrintable(missing.error()));
    auto garbage = editor.load(writeFile(dir, u"garbage.json"_s, "{\"name\": "));
    QVERIFY(!garbage.ok());
    QVERIFY2(garbage.error().contains(u"invalid JSON"_s), qPrintable(garbage.error()));
    QCOMPARE(QString::fromUtf8(model::toJson(editor.campaign())), before);
}

void TestCampaignEditor::undoRedoParameterRows()
{
    CampaignEditor editor;
    const QByteArray original = model::toJson(editor.campaign());
    QSignalSpy inserted(&editor, &CampaignEditor::parameterInserted);
    QSignalSpy removed(&editor, &CampaignEditor::parameterRemoved);
    QSignalSpy moved(&editor, &CampaignEditor::parameterMoved);

    editor.addParameter();
    QCOMPARE(editor.campaign().parameters.size(), 2);
    QCOMPARE(editor.campaign().parameters.at(1).name, u"param2"_s);
    QCOMPARE(inserted.count(), 1);
    editor.moveParameter(1, 0);
    QCOMPARE(editor.campaign().parameters.at(0).name, u"param2"_s);
    QCOMPARE(moved.count(), 1);
    editor.removeParameter(1);
    QCOMPARE(editor.campaign().parameters.size(), 1);
    QCOMPARE(removed.count(), 1);
    // Without x the command's {x} names no parameter.
    QCOMPARE(paths(editor.issues()), QStringList{u"job.command"_s});
    QCOMPARE(editor.undoStack()->count(), 3);

    editor.undoStack()->undo(); // x is back, at its row
    QCOMPARE(editor.campaign().parameters.at(1).name, u"x"_s);
    QVERIFY(editor.isValid());
    editor.undoStack()->undo();
    QCOMPARE(editor.campaign().parameters.at(0).name, u"x"_s);
    editor.undoStack()->undo();
    QCOMPARE(model::toJson(editor.campaign()), original);
    QVERIFY(!editor.isModified());

    editor.undoStack()->redo();
    editor.undoStack()->redo();
    editor.undoStack()->redo();
    QCOMPARE(editor.campaign().parameters.size(), 1);
    QCOMPARE(editor.campaign().parameters.at(0).name, u"param2"_s);
}

void TestCampaignEditor::undoRedoSettingsMergesTyping()
{
    CampaignEditor editor;
    const QString command = editor.campaign().job.command;
    // One keystroke at a time, as a line edit reports them: one step in the history.
    QString typed = command;
    for (const QChar c : u" --fast"_s) {
        typed += c;
        editor.setCommand(typed);
    }
    QCOMPARE(editor.undoStack()->count(), 1);
    editor.setMaxTrials(20);
    editor.setMaxTrials(20); // no change, no command
    editor.setDirection(model::Direction::Maximize);
    editor.setSeed(42);
    QCOMPARE(editor.undoStack()->count(), 4);

    editor.undoStack()->undo();
    QCOMPARE(editor.campaign().search.seed, quint64(0));
    editor.undoStack()->undo();
    QCOMPARE(editor.campaign().objective.direction, model::Direction::Minimize);
    editor.undoStack()->undo();
    QCOMPARE(editor.campaign().search.maxTrials, 100);
    editor.undoStack()->undo();
    QCOMPARE(editor.campaign().job.command, command);
    editor.undoStack()->redo();
    QCOMPARE(editor.campaign().job.command, command + u" --fast"_s);
}

void TestCampaignEditor::renameCarriesPlaceholder()
{
    CampaignEditor editor;
    editor.setCommand(u"run --x {x} --literal {{x}} --again {x}"_s);
    model::Parameter renamed = editor.campaign().parameters.first();
    renamed.name = u"width"_s;
    editor.setParameter(0, renamed, u"name"_s);
    QCOMPARE(editor.campaign().job.command, u"run --x {width} --literal {{x}} --again {width}"_s);
    QVERIFY(editor.isValid());
    editor.undoStack()->undo(); // one step for both
    QCOMPARE(editor.campaign().parameters.first().name, u"x"_s);
    QCOMPARE(editor.campaign().job.command, u"run --x {x} --literal {{x}} --again {x}"_s);
}

void TestCampaignEditor::issuesAndValidity()
{
    CampaignEditor editor;
    QSignalSpy validity(&editor, &CampaignEditor::validityChanged);
    QSignalSpy issues(&editor, &CampaignEditor::issuesChanged);
    editor.setParallel(0);
    QCOMPARE(validity.count(), 1);
    QCOMPARE(validity.last().first().toBool(), false);
    QCOMPARE(issues.count(), 1);
    QVERIFY(!editor.runnableCampaign());
    editor.setTimeLimit(u"soon"_s);
    QCOMPARE(validity.count(), 1); // still invalid: no flip
    QCOMPARE(issues.count(), 2);
    QCOMPARE(paths(editor.issues()), (QStringList{u"search.parallel"_s, u"job.time_limit"_s}));
    QVERIFY(editor.issues().at(1).message.contains(u"HH:MM:SS"_s));
    editor.setParallel(3);
    editor.setTimeLimit(u"1:00:00"_s);
    QCOMPARE(validity.count(), 2);
    QCOMPARE(validity.last().first().toBool(), true);
    QCOMPARE(editor.runnableCampaign()->job.timeLimitSeconds, std::optional<qint64>(3600));
}

void TestCampaignEditor::candidatesFollowEdits()
{
    CampaignEditor editor;
    model::Parameter p = editor.campaign().parameters.first();
    p.listedValues.clear();
    p.range = model::ParameterRange{1, 10, 3.0, std::nullopt, false};
    p.defaultValue = QVariant::fromValue(qint64(4));
    editor.setParameter(0, p, u"values"_s);
    const model::Parameter& expanded = editor.campaign().parameters.first();
    QCOMPARE(expanded.candidates, (QVariantList{qint64(1), qint64(4), qint64(7), qint64(10)}));
    QCOMPARE(expanded.defaultIndex, std::optional<int>(1));
    // Another part broken does not hide this row's candidates.
    editor.setMetric(QString());
    QVERIFY(!editor.isValid());
    QCOMPARE(editor.campaign().parameters.first().candidates.size(), 4);
}

void TestCampaignEditor::setClusterIsUndoable()
{
    CampaignEditor editor;
    model::ClusterSettings slurm;
    slurm.scheduler = u"slurm"_s;
    slurm.host = u"flow"_s;
    slurm.directives = {u"-p gpu"_s};
    editor.setCluster(slurm);
    QCOMPARE(editor.campaign().cluster.scheduler, u"slurm"_s);
    QVERIFY(editor.isValid());
    editor.setFiles({u"a.py"_s});
    editor.setFiles({u"a.py"_s, u"b.py"_s}); // each file change is a step of its own
    QCOMPARE(editor.undoStack()->count(), 3);
    editor.undoStack()->undo();
    QCOMPARE(editor.campaign().job.files, QStringList{u"a.py"_s});
    editor.undoStack()->undo();
    editor.undoStack()->undo();
    QCOMPARE(editor.campaign().cluster.scheduler, u"local"_s);
    QVERIFY(editor.campaign().cluster.directives.isEmpty());
}

void TestCampaignEditor::metricTest_data()
{
    QTest::addColumn<QString>("metric");
    QTest::addColumn<QString>("pattern");
    QTest::addColumn<QString>("stepPattern");
    QTest::addColumn<QString>("output");
    QTest::addColumn<QList<double>>("values");
    QTest::addColumn<QList<int>>("steps");
    QTest::addColumn<QList<int>>("lines");

    const QString log = u"epoch 1 loss=0.9 val_loss=1.2\nepoch 2 loss: 0.5\nsaving\r\nfinal loss = 0.25\n"_s;
    QTest::addRow("default rule") << u"loss"_s << QString() << QString() << log << QList<double>{0.9, 0.5, 0.25}
                                  << QList<int>{} << QList<int>{0, 1, 3};
    QTest::addRow("other metric") << u"val_loss"_s << QString() << QString() << log << QList<double>{1.2}
                                  << QList<int>{} << QList<int>{0};
    QTest::addRow("pattern") << u"loss"_s << u"^epoch \\d+ loss[=:] ?([0-9.]+)"_s << QString() << log
                             << QList<double>{0.9, 0.5} << QList<int>{} << QList<int>{0, 1};
    QTest::addRow("nothing") << u"accuracy"_s << QString() << QString() << log << QList<double>{} << QList<int>{}
                             << QList<int>{};
    // The run prints its epochs, every other one evaluated: the value after "epoch 4" is step 4.
    QTest::addRow("steps") << u"loss"_s << QString() << u"^epoch (\\d+)"_s
                           << u"epoch 2\nloss: 0.9\nepoch 3\nepoch 4\nloss: 0.7\n"_s << QList<double>{0.9, 0.7}
                           << QList<int>{2, 4} << QList<int>{1, 4};
}

void TestCampaignEditor::metricTest()
{
    QFETCH(QString, metric);
    QFETCH(QString, pattern);
    QFETCH(QString, stepPattern);
    QFETCH(QString, output);
    QFETCH(QList<double>, values);
    QFETCH(QList<int>, steps);
    QFETCH(QList<int>, lines);
    const MetricTestResult result = testMetric(metric, pattern, output, stepPattern);
    QVERIFY(result.error.isEmpty());
    QCOMPARE(result.values, values);
    QCOMPARE(result.steps, steps);
    QCOMPARE(result.lines, lines);
    const QString text = describeMetricTest(result, metric, pattern);
    if (values.isEmpty())
        QVERIFY(text.startsWith(u"No value found"_s));
    else
        QVERIFY2(text.contains(u"<b>%1</b>"_s.arg(model::Campaign::formatValue(values.last()))), qPrintable(text));
    if (!steps.isEmpty())
        QVERIFY2(text.contains(u"step %1: 0.9"_s.arg(steps.first())), qPrintable(text));
}

void TestCampaignEditor::metricTestRefusesABadStepPattern()
{
    const MetricTestResult result = testMetric(u"loss"_s, QString(), u"epoch 1 loss: 0.5\n"_s, u"epoch \\d+"_s);
    QVERIFY2(result.error.contains(u"capture group"_s), qPrintable(result.error));
    QVERIFY(result.values.isEmpty());
    QVERIFY(describeMetricTest(result, u"loss"_s, QString()).contains(u"capture group"_s));
}

void TestCampaignEditor::scriptPreview_data()
{
    QTest::addColumn<QString>("scheduler");
    QTest::addColumn<QStringList>("directives");
    QTest::addColumn<QStringList>("expected");

    QTest::addRow("slurm") << u"slurm"_s << QStringList{u"--partition=gpu"_s}
                           << QStringList{u"#SBATCH --job-name=sw1-1"_s, u"#SBATCH --time=00:30:00"_s,
                                          u"#SBATCH --partition=gpu"_s};
    QTest::addRow("pjm") << u"pjm"_s << QStringList{u"-L rscgrp=cx-share"_s}
                         << QStringList{u"#PJM -N sw1-1"_s, u"#PJM -L elapse=0:30:00"_s, u"#PJM -L rscgrp=cx-share"_s};
    QTest::addRow("pbs") << u"pbs"_s << QStringList{} << QStringList{u"#PBS -N sw1-1"_s};
    QTest::addRow("local") << u"local"_s << QStringList{} << QStringList{u"runs/1"_s};
}

void TestCampaignEditor::scriptPreview()
{
    QFETCH(QString, scheduler);
    QFETCH(QStringList, directives);
    QFETCH(QStringList, expected);
    model::ParseOutcome outcome = model::parseCampaign(kDigits);
    QVERIFY(outcome.campaign);
    model::Campaign campaign = *outcome.campaign;
    campaign.cluster.directives = directives;
    const ScriptPreview preview = previewJobScript(campaign, scheduler);
    QVERIFY(preview.script.startsWith(u"#!/bin/bash\n"_s));
    for (const QString& line : expected)
        QVERIFY2(preview.script.contains(line), qPrintable(line + u" not in:\n"_s + preview.script));
    // The first trial starts at the defaults.
    QVERIFY2(preview.script.contains(u"/usr/bin/python3 train.py --hidden 32 --lr 0.001"_s),
             qPrintable(preview.script));
    if (scheduler != u"local")
        QVERIFY(preview.script.contains(u"/home/user/sweepline/digits-mlp/1/1.1"_s));
}

QTEST_GUILESS_MAIN(TestCampaignEditor)
#include "tst_campaigneditor.moc"
