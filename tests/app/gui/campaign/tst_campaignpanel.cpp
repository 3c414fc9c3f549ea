#include "gui/campaign/campaigneditor.h"
#include "gui/campaign/campaignpanel.h"
#include "gui/campaign/issuemarks.h"
#include "gui/campaign/parametertablemodel.h"

#include <QAbstractItemView>
#include <QApplication>
#include <QClipboard>
#include <QComboBox>
#include <QCompleter>
#include <QFile>
#include <QFileDialog>
#include <QLabel>
#include <QLineEdit>
#include <QListWidget>
#include <QPlainTextEdit>
#include <QPointer>
#include <QPushButton>
#include <QSignalSpy>
#include <QSpinBox>
#include <QTableView>
#include <QTemporaryDir>
#include <QTest>
#include <QTextBlock>
#include <QUndoStack>

using namespace Qt::StringLiterals;
using namespace sweepline;
using namespace sweepline::gui;

using Column = ParameterTableModel::Column;

namespace {

const QByteArray kExpected = R"json({
  "name": "digits-mlp",
  "parameters": [
    {"name": "hidden", "type": "int", "values": [8, 16, 32, 64, 128], "default": 32},
    {"name": "learning_rate", "type": "float", "range": {"min": 0.0001, "max": 0.1, "count": 7, "log": true}, "default": 0.001},
    {"name": "solver", "type": "choice", "values": ["sgd", "adam"], "default": "adam"}
  ],
  "objective": {"metric": "accuracy", "direction": "maximize", "pattern": "acc(?:uracy)?[:=] *([0-9.]+)"},
  "search": {"strategy": "random", "max_trials": 50, "parallel": 4, "seed": 7},
  "job": {"command": "python3 train.py --hidden {hidden} --lr {learning_rate} --solver {solver}", "files": ["train.py"], "time_limit": "00:30:00"},
  "cluster": {"scheduler": "local"}
})json";

QByteArray canonical(const QByteArray& json, const QString& sourcePath)
{
    const model::ParseOutcome outcome = model::parseCampaign(json, sourcePath);
    if (!outcome.campaign)
        return "invalid: " + outcome.issues.value(0).toString().toUtf8();
    return model::toJson(*outcome.campaign);
}

template<typename T>
T* field(QWidget& panel, const char* name)
{
    T* widget = panel.findChild<T*>(QString::fromLatin1(name));
    if (!widget)
        qFatal("no %s", name);
    return widget;
}

// Replaces a line edit's or spin box's text the way a user does: select all, type.
void retype(QWidget* widget, const QString& text)
{
    QTest::mouseClick(widget, Qt::LeftButton);
    QTest::keyClick(widget, Qt::Key_A, Qt::ControlModifier);
    if (text.isEmpty())
        QTest::keyClick(widget, Qt::Key_Delete);
    else
        QTest::keyClicks(widget, text);
}

class PanelFixture {
public:
    PanelFixture()
    {
        panel.resize(1150, 1300);
        panel.show();
        QApplication::setActiveWindow(&panel);
    }
    QTableView* table() { return field<QTableView>(panel, "parameterTable"); }
    QAbstractItemModel* model() { return table()->model(); }

    // Makes the cell current (by clicking it unless it already is), opens its editor with F2 and returns it.
    QWidget* openCell(int row, int column)
    {
        QTableView* view = table();
        const QModelIndex index = model()->index(row, column);
        if (view->currentIndex() != index)
            QTest::mouseClick(view->viewport(), Qt::LeftButton, {}, view->visualRect(index).center());
        if (view->currentIndex() != index)
            return nullptr;
        QTest::keyClick(view, Qt::Key_F2);
        return view->indexWidget(index);
    }

    // Types into a cell's editor (a line edit, or a combo's keyboard search) and presses Enter.
    bool editCell(int row, int column, const QString& text)
    {
        QWidget* cellEditor = openCell(row, column);
        if (!cellEditor)
            return false;
        if (qobject_cast<QLineEdit*>(cellEditor))
            QTest::keyClick(cellEditor, Qt::Key_A, Qt::ControlModifier);
        QTest::keyClicks(cellEditor, text);
        QTest::keyClick(cellEditor, Qt::Key_Return);
        // The view commits an Enter asynchronously: wait for the editor to close.
        return QTest::qWaitFor([&] { return !table()->indexWidget(model()->index(row, column)); });
    }

    QString cell(int row, int column) { return model()->index(row, column).data(Qt::EditRole).toString(); }

    CampaignEditor editor;
    CampaignPanel panel{&editor};
};

} // namespace

class TestCampaignPanel : public QObject {
    Q_OBJECT
private slots:
    void initTestCase();
    void fillWholeFormSaveReload();
    void invalidFieldsAreMarkedInline();
    void tableRowsByKeyboard();
    void patternLiveTest();
    void scriptPreviewShowsDirectives();
    void earlyStoppingShowsTheRulesOptions();
    void earlyStoppingRoundTripsEveryRule_data();
    void earlyStoppingRoundTripsEveryRule();
    void earlyStoppingMarksBadValuesAndUndoes();
    void earlyStoppingDraftKeepsBadValues();
    void stepPatternIsValidatedInline();
};

namespace {

using model::EarlyStoppingRule;

const char* const kOptionBoxes[] = {"startupTrials", "warmupSteps", "minSteps", "reductionFactor", "maxSteps"};

// Which option boxes the panel shows, by object name.
QStringList shownOptions(QWidget& panel)
{
    QStringList shown;
    for (const char* name : kOptionBoxes) {
        if (field<QSpinBox>(panel, name)->isVisibleTo(&panel))
            shown.append(QString::fromLatin1(name));
    }
    return shown;
}

// Chooses a rule as picking it from the combo's list does. (Typing its name would run into the
// previous one typed: the keyboard search interval is long here.)
void chooseRule(QWidget& panel, const QString& name)
{
    auto* rule = field<QComboBox>(panel, "earlyStoppingRule");
    rule->setCurrentIndex(rule->findText(name));
    QCOMPARE(rule->currentText(), name);
}

// Types a bad value, then a good one: the validator's message (holding fragment) at the field, then
// no mark.
bool refusedThenAccepted(QWidget* widget, const QString& bad, const QString& fragment, const QString& good)
{
    retype(widget, bad);
    if (!isMarkedInvalid(widget) || !widget->toolTip().contains(fragment)) {
        qWarning("%s not refused as expected: %s", qPrintable(bad), qPrintable(widget->toolTip()));
        return false;
    }
    retype(widget, good);
    return !isMarkedInvalid(widget);
}

QString describe(const model::EarlyStopping& e)
{
    return u"%1 startup=%2 warmup=%3 min=%4 factor=%5 max=%6"_s.arg(model::ruleKeyword(e.rule))
        .arg(e.startupTrials)
        .arg(e.warmupSteps)
        .arg(e.minSteps)
        .arg(e.reductionFactor)
        .arg(e.maxSteps ? QString::number(*e.maxSteps) : u"auto"_s);
}

} // namespace

void TestCampaignPanel::fillWholeFormSaveReload()
{
    QTemporaryDir dir;
    QFile train(dir.filePath(u"train.py"_s));
    QVERIFY(train.open(QIODevice::WriteOnly));
    train.close();
    const QString path = dir.filePath(u"digits.json"_s);

    PanelFixture f;
    QVERIFY(QTest::qWaitForWindowActive(&f.panel));
    QVERIFY(f.editor.save(path).ok()); // saved early, as "Save As" would: files are relative to it
    const QByteArray templateJson = model::toJson(f.editor.campaign());

    retype(field<QLineEdit>(f.panel, "campaignName"), u"digits-mlp"_s);

    // Row 0: the template's x becomes hidden.
    QVERIFY(f.editCell(0, Column::Name, u"hidden"_s));
    QVERIFY(f.editCell(0, Column::Values, u"8, 16, 32, 64, 128"_s));
    QVERIFY(f.editCell(0, Column::Default, u"32"_s));
    QCOMPARE(f.cell(0, Column::Default), u"32"_s);

    // Row 1: Add starts editing the new row's name.
    QTest::mouseClick(field<QPushButton>(f.panel, "addParameter"), Qt::LeftButton);
    QCOMPARE(f.model()->rowCount(), 2);
    QWidget* nameEditor = f.table()->indexWidget(f.model()->index(1, Column::Name));
    QVERIFY(nameEditor);
    QTest::keyClick(nameEditor, Qt::Key_A, Qt::ControlModifier);
    QTest::keyClicks(nameEditor, u"learning_rate"_s);
    QTest::keyClick(nameEditor, Qt::Key_Return);
    QTRY_COMPARE(f.cell(1, Column::Name), u"learning_rate"_s);
    QVERIFY(f.editCell(1, Column::Type, u"float"_s));
    QVERIFY(f.editCell(1, Column::Source, u"range"_s));
    QCOMPARE(f.cell(1, Column::Source), u"range"_s);
    QVERIFY(f.editCell(1, Column::Min, u"0.0001"_s));
    QVERIFY(f.editCell(1, Column::Max, u"0.1"_s));
    QVERIFY(f.editCell(1, Column::Count, u"7"_s));
    QTest::keyClick(f.table(), Qt::Key_Right); // to Log
    QCOMPARE(f.table()->currentIndex().column(), int(Column::Log));
    QTest::keyClick(f.table(), Qt::Key_Space);
    QCOMPARE(f.model()->index(1, Column::Log).data(Qt::CheckStateRole).toInt(), int(Qt::Checked));
    QVERIFY(f.editCell(1, Column::Default, u"0.001"_s));
    QCOMPARE(f.model()->index(1, Column::Candidates).data().toString(), u"7"_s);

    // Row 2.
    QTest::mouseClick(field<QPushButton>(f.panel, "addParameter"), Qt::LeftButton);
    nameEditor = f.table()->indexWidget(f.model()->index(2, Column::Name));
    QVERIFY(nameEditor);
    QTest::keyClicks(nameEditor, u"solver"_s); // the new name is selected: typing replaces it
    QTest::keyClick(nameEditor, Qt::Key_Return);
    QTRY_COMPARE(f.cell(2, Column::Name), u"solver"_s);
    QVERIFY(f.editCell(2, Column::Type, u"choice"_s));
    QVERIFY(f.editCell(2, Column::Values, u"sgd, adam"_s));
    QVERIFY(f.editCell(2, Column::Default, u"adam"_s));

    // Objective.
    retype(field<QLineEdit>(f.panel, "metric"), u"accuracy"_s);
    QComboBox* direction = field<QComboBox>(f.panel, "direction");
    direction->setFocus(); // as Tab from the metric would; a click would open the popup
    QTest::keyClick(direction, Qt::Key_Down);
    QCOMPARE(direction->currentText(), u"maximize"_s);
    retype(field<QLineEdit>(f.panel, "pattern"), u"acc(?:uracy)?[:=] *([0-9.]+)"_s);

    // Search.
    QComboBox* strategy = field<QComboBox>(f.panel, "strategy");
    strategy->setFocus();
    QTest::keyClicks(strategy, u"random"_s);
    QCOMPARE(strategy->currentText(), u"random"_s);
    retype(field<QSpinBox>(f.panel, "maxTrials"), u"50"_s);
    retype(field<QSpinBox>(f.panel, "parallel"), u"4"_s);
    retype(field<QLineEdit>(f.panel, "seed"), u"7"_s);

    // Job: the command with placeholder completion.
    auto* command = field<QLineEdit>(f.panel, "jobCommand");
    retype(command, u"python3 train.py --hidden "_s);
    QTest::keyClicks(command, u"{"_s);
    QCompleter* completer = command->findChild<QCompleter*>();
    QVERIFY(completer);
    QTRY_VERIFY(completer->popup()->isVisible());
    QCOMPARE(completer->completionCount(), 3); // every parameter is offered
    QTest::keyClicks(completer->popup(), u"hid"_s);
    QCOMPARE(completer->completionCount(), 1);
    QTest::keyClick(completer->popup(), Qt::Key_Return);
    QCOMPARE(command->text(), u"python3 train.py --hidden {hidden}"_s);
    QVERIFY(command->hasFocus());
    QTest::keyClicks(command, u" --lr {"_s);
    QTRY_VERIFY(completer->popup()->isVisible());
    QTest::keyClicks(completer->popup(), u"rate"_s); // matches inside the name too
    QTest::keyClick(completer->popup(), Qt::Key_Tab);
    QTest::keyClicks(command, u" --solver {solver}"_s); // typed in full: the popup goes away
    QVERIFY(!completer->popup()->isVisible());
    QCOMPARE(command->text(), u"python3 train.py --hidden {hidden} --lr {learning_rate} --solver {solver}"_s);

    // Files, through the file dialog.
    QTest::mouseClick(field<QPushButton>(f.panel, "addJobFiles"), Qt::LeftButton);
    QFileDialog* dialog = nullptr;
    QTRY_VERIFY((dialog = f.panel.findChild<QFileDialog*>(u"jobFilesDialog"_s)) != nullptr);
    auto* fileName = dialog->findChild<QLineEdit*>(u"fileNameEdit"_s);
    QVERIFY(fileName);
    QCOMPARE(dialog->directory().absolutePath(), QDir(dir.path()).absolutePath()); // opens beside the campaign
    QTest::keyClicks(fileName, u"train.py"_s);
    // The first Enter may only take the file name completer's suggestion.
    QPointer<QFileDialog> open = dialog;
    for (int i = 0; i < 3 && open && open->isVisible(); ++i) {
        QTest::keyClick(fileName, Qt::Key_Return);
        QTest::qWait(20);
    }
    QTRY_COMPARE(f.editor.campaign().job.files, QStringList{u"train.py"_s});
    auto* files = field<QListWidget>(f.panel, "jobFiles");
    QCOMPARE(files->count(), 1);
    // One more, then removed again.
    QTest::mouseClick(field<QPushButton>(f.panel, "addJobFiles"), Qt::LeftButton);
    QTRY_VERIFY((dialog = f.panel.findChild<QFileDialog*>(u"jobFilesDialog"_s)) != nullptr);
    dialog->findChild<QLineEdit*>(u"fileNameEdit"_s)->setText(dir.filePath(u"digits.json"_s));
    QMetaObject::invokeMethod(dialog, "accept");
    QTRY_COMPARE(f.editor.campaign().job.files, (QStringList{u"train.py"_s, u"digits.json"_s}));
    QTest::mouseClick(files->viewport(), Qt::LeftButton, {}, files->visualItemRect(files->item(1)).center());
    QTest::mouseClick(field<QPushButton>(f.panel, "removeJobFiles"), Qt::LeftButton);
    QCOMPARE(f.editor.campaign().job.files, QStringList{u"train.py"_s});
    retype(field<QLineEdit>(f.panel, "timeLimit"), u"00:30:00"_s);

    QVERIFY2(f.editor.isValid(), qPrintable(f.editor.issues().value(0).toString()));
    QVERIFY(f.panel.runAllowed());
    QTest::qWait(50); // let the layout settle before looking
    f.panel.grab().save(u"/tmp/sweepline_campaignpanel.png"_s);
    f.panel.resize(1000, 700);
    QTest::qWait(50);
    f.panel.grab().save(u"/tmp/sweepline_campaignpanel_small.png"_s);
    f.panel.resize(1150, 1300);

    QVERIFY(f.editor.save(path).ok());
    CampaignEditor reloaded;
    QVERIFY(reloaded.load(path).ok());
    QCOMPARE(QString::fromUtf8(model::toJson(reloaded.campaign())), QString::fromUtf8(canonical(kExpected, path)));

    // Undo walks the whole session back to the template, and the form follows; redo comes back.
    const QByteArray filled = model::toJson(f.editor.campaign());
    while (f.editor.undoStack()->canUndo())
        f.editor.undoStack()->undo();
    QCOMPARE(model::toJson(f.editor.campaign()), templateJson);
    QCOMPARE(field<QLineEdit>(f.panel, "campaignName")->text(), u"new-campaign"_s);
    QCOMPARE(field<QLineEdit>(f.panel, "jobCommand")->text(), u"python3 train.py --x {x}"_s);
    QCOMPARE(field<QSpinBox>(f.panel, "parallel")->value(), 1);
    QCOMPARE(f.model()->rowCount(), 1);
    while (f.editor.undoStack()->canRedo())
        f.editor.undoStack()->redo();
    QCOMPARE(model::toJson(f.editor.campaign()), filled);
    QCOMPARE(field<QComboBox>(f.panel, "strategy")->currentText(), u"random"_s);
    QCOMPARE(f.cell(1, Column::Default), u"0.001"_s);
}

void TestCampaignPanel::invalidFieldsAreMarkedInline()
{
    PanelFixture f;
    QVERIFY(QTest::qWaitForWindowActive(&f.panel));
    QSignalSpy allowed(&f.panel, &CampaignPanel::runAllowedChanged);
    auto* parallel = field<QSpinBox>(f.panel, "parallel");
    auto* issues = field<QListWidget>(f.panel, "issueList");
    QVERIFY(!isMarkedInvalid(parallel));
    QVERIFY(issues->isHidden());

    retype(parallel, u"0"_s);
    QCOMPARE(allowed.count(), 1);
    QCOMPARE(allowed.last().first().toBool(), false);
    QVERIFY(!f.panel.runAllowed());
    QVERIFY(isMarkedInvalid(parallel));
    QCOMPARE(parallel->toolTip(), u"must be at least 1"_s);
    QVERIFY(!issues->isHidden());
    QCOMPARE(issues->count(), 1);
    QCOMPARE(issues->item(0)->text(), u"search.parallel: must be at least 1"_s);
    QVERIFY(field<QLabel>(f.panel, "validityStatus")->text().contains(u"1 problem"_s));

    // A table cell: the validator's message on the cell.
    QVERIFY(f.editCell(0, Column::Values, u"1, 2, 2"_s));
    const QModelIndex values = f.model()->index(0, Column::Values);
    QCOMPARE(values.data(Qt::ToolTipRole).toString(), u"duplicate of values[1]"_s);
    QVERIFY(values.data(Qt::BackgroundRole).isValid());
    QCOMPARE(issues->count(), 2);
    QCOMPARE(issues->item(0)->text(), u"parameters[0].values[2]: duplicate of values[1]"_s);
    // Activating a message goes to its field.
    issues->setCurrentRow(1);
    QTest::keyClick(issues, Qt::Key_Return);
    QTRY_VERIFY(parallel->hasFocus());
    issues->setCurrentRow(0);
    QTest::keyClick(issues, Qt::Key_Return);
    QTRY_COMPARE(f.table()->currentIndex(), values);

    // The command: a placeholder that names no parameter.
    auto* command = field<QLineEdit>(f.panel, "jobCommand");
    QTest::mouseClick(command, Qt::LeftButton);
    QTest::keyClick(command, Qt::Key_End);
    QTest::keyClicks(command, u" {y}"_s);
    QVERIFY(isMarkedInvalid(command));
    QCOMPARE(command->toolTip(), u"placeholder {y} names no parameter"_s);
    QTest::qWait(50);
    f.panel.grab().save(u"/tmp/sweepline_campaignpanel_invalid.png"_s);

    // A file outside the campaign's folder: the list is marked, and only the list.
    f.editor.setFiles({u"../elsewhere.py"_s});
    auto* files = field<QListWidget>(f.panel, "jobFiles");
    QVERIFY(isMarkedInvalid(files));
    QCOMPARE(files->toolTip(), u"job.files[0]: must not contain \"..\""_s);
    QCOMPARE(files->item(0)->toolTip(), u"must not contain \"..\""_s);
    QCOMPARE(command->toolTip(), u"placeholder {y} names no parameter"_s);
    f.editor.undoStack()->undo();
    QVERIFY(!isMarkedInvalid(files));

    for (int i = 0; i < 4; ++i)
        QTest::keyClick(command, Qt::Key_Backspace);
    QVERIFY(!isMarkedInvalid(command));
    QVERIFY(command->toolTip().startsWith(u"Runs in the trial's folder"_s)); // its own tooltip is back
    QVERIFY(f.editCell(0, Column::Values, u"1, 2"_s));
    retype(parallel, u"2"_s);
    QVERIFY(f.panel.runAllowed());
    QCOMPARE(allowed.last().first().toBool(), true);
    QVERIFY(!isMarkedInvalid(parallel));
    QVERIFY(issues->isHidden());
}

void TestCampaignPanel::tableRowsByKeyboard()
{
    PanelFixture f;
    QVERIFY(QTest::qWaitForWindowActive(&f.panel));
    QTableView* view = f.table();
    view->setFocus();
    view->setCurrentIndex(f.model()->index(0, Column::Name));
    QTest::keyClick(view, Qt::Key_Insert);
    QCOMPARE(f.model()->rowCount(), 2);
    QWidget* nameEditor = view->indexWidget(f.model()->index(1, Column::Name));
    QVERIFY(nameEditor);
    QTest::keyClicks(nameEditor, u"y"_s);
    QTest::keyClick(nameEditor, Qt::Key_Return);
    QTRY_COMPARE(f.cell(1, Column::Name), u"y"_s);
    // Delete inside an open editor edits text; it does not remove the row.
    QWidget* editor = f.openCell(1, Column::Name);
    QVERIFY(editor);
    QTest::keyClick(editor, Qt::Key_Delete);
    QCOMPARE(f.model()->rowCount(), 2);
    QTest::keyClick(editor, Qt::Key_Escape);
    QTRY_VERIFY(!view->indexWidget(f.model()->index(1, Column::Name)));

    QTest::keyClick(view, Qt::Key_Up, Qt::AltModifier);
    QCOMPARE(f.cell(0, Column::Name), u"y"_s);
    QCOMPARE(view->currentIndex().row(), 0);
    QTest::keyClick(view, Qt::Key_Down, Qt::AltModifier);
    QCOMPARE(f.cell(1, Column::Name), u"y"_s);
    QTest::keyClick(view, Qt::Key_Delete);
    QCOMPARE(f.model()->rowCount(), 1);
    QCOMPARE(f.cell(0, Column::Name), u"x"_s);
    QVERIFY(!field<QPushButton>(f.panel, "moveParameterUp")->isEnabled());
    f.editor.undoStack()->undo();
    QCOMPARE(f.model()->rowCount(), 2);
    QCOMPARE(f.cell(1, Column::Name), u"y"_s);
}

void TestCampaignPanel::patternLiveTest()
{
    PanelFixture f;
    QVERIFY(QTest::qWaitForWindowActive(&f.panel));
    auto* output = field<QPlainTextEdit>(f.panel, "metricTestOutput");
    auto* result = field<QLabel>(f.panel, "metricTestResult");
    QApplication::clipboard()->setText(
        u"epoch 1 loss: 0.9\nepoch 2 val_loss: 0.8\nepoch 2 loss: 0.5\nacc=0.75\nloss=0.25\n"_s);
    QTest::mouseClick(output->viewport(), Qt::LeftButton);
    QTest::keyClick(output, Qt::Key_V, Qt::ControlModifier);
    QCOMPARE(output->toPlainText().count(u'\n'), 5);
    // The default rule: "loss:" and "loss=", not "val_loss:".
    QVERIFY2(result->text().startsWith(u"3 values: 0.9, 0.5, "_s), qPrintable(result->text()));
    QVERIFY(result->text().contains(u"<b>0.25</b>"_s));
    QCOMPARE(output->extraSelections().size(), 3);
    QCOMPARE(output->extraSelections().last().cursor.block().text(), u"loss=0.25"_s);
    QTest::qWait(50);
    f.panel.grab(QRect(0, 280, 700, 450)).save(u"/tmp/sweepline_metrictest.png"_s);

    retype(field<QLineEdit>(f.panel, "pattern"), u"acc=([0-9.]+)"_s);
    QVERIFY2(result->text().startsWith(u"1 value: "_s), qPrintable(result->text()));
    QVERIFY(result->text().contains(u"<b>0.75</b>"_s));
    QCOMPARE(output->extraSelections().size(), 1);

    retype(field<QLineEdit>(f.panel, "pattern"), u"acc=[0-9.]+"_s);
    QVERIFY2(result->text().contains(u"exactly one capture group"_s), qPrintable(result->text()));
    QVERIFY(isMarkedInvalid(field<QLineEdit>(f.panel, "pattern")));
}

void TestCampaignPanel::scriptPreviewShowsDirectives()
{
    PanelFixture f;
    auto* preview = field<QPlainTextEdit>(f.panel, "scriptPreview");
    auto* scheduler = field<QComboBox>(f.panel, "previewScheduler");
    QCOMPARE(scheduler->currentText(), u"local"_s);
    QVERIFY(!preview->toPlainText().contains(u"#SBATCH"_s));
    QVERIFY(preview->toPlainText().contains(u"python3 train.py --x 1"_s));

    model::ClusterSettings slurm;
    slurm.scheduler = u"slurm"_s;
    slurm.host = u"flow"_s;
    slurm.user = u"fujika"_s;
    slurm.directives = {u"--partition=gpu"_s, u"--gres=gpu:1"_s};
    f.editor.setCluster(slurm);
    QCOMPARE(scheduler->currentText(), u"slurm"_s); // follows where the campaign runs
    QVERIFY(field<QLabel>(f.panel, "clusterSummary")->text().contains(u"fujika@flow"_s));
    const QString script = preview->toPlainText();
    QVERIFY2(script.contains(u"#SBATCH --job-name=sw1-1\n"_s), qPrintable(script));
    QVERIFY(script.contains(u"#SBATCH --partition=gpu\n#SBATCH --gres=gpu:1\n"_s));
    QVERIFY(script.contains(u"/home/fujika/sweepline/new-campaign/1"_s));

    f.editor.setTimeLimit(u"1:00:00"_s);
    scheduler->setFocus();
    QTest::keyClicks(scheduler, u"pjm"_s);
    QCOMPARE(scheduler->currentText(), u"pjm"_s);
    QVERIFY2(preview->toPlainText().contains(u"#PJM -N sw1-1\n"_s), qPrintable(preview->toPlainText()));
    QVERIFY(preview->toPlainText().contains(u"#PJM -L elapse=1:00:00\n"_s));
    QVERIFY(preview->toPlainText().contains(u"#PJM --partition=gpu\n"_s));

    // A directive that takes over what Sweepline owns is refused, and the preview says why.
    slurm.directives = {u"--job-name=mine"_s};
    f.editor.setCluster(slurm);
    QCOMPARE(scheduler->currentText(), u"pjm"_s); // the campaign's scheduler did not change
    scheduler->setCurrentText(u"slurm"_s);
    QVERIFY(!preview->toPlainText().contains(u"#SBATCH"_s));
    QVERIFY2(field<QLabel>(f.panel, "scriptPreviewNotes")->text().contains(u"--job-name"_s),
             qPrintable(field<QLabel>(f.panel, "scriptPreviewNotes")->text()));
}

void TestCampaignPanel::earlyStoppingShowsTheRulesOptions()
{
    PanelFixture f;
    QVERIFY(QTest::qWaitForWindowActive(&f.panel));
    auto* help = field<QLabel>(f.panel, "earlyStoppingHelp");
    QCOMPARE(field<QComboBox>(f.panel, "earlyStoppingRule")->currentText(), u"None"_s);
    QCOMPARE(shownOptions(f.panel), QStringList{});
    QCOMPARE(help->text(), u"Every trial runs to its end."_s);

    chooseRule(f.panel, u"ASHA"_s);
    QCOMPARE(f.editor.campaign().search.earlyStopping.rule, EarlyStoppingRule::Asha);
    QCOMPARE(shownOptions(f.panel), (QStringList{u"minSteps"_s, u"reductionFactor"_s}));
    QVERIFY2(help->text().contains(u"successive halving"_s), qPrintable(help->text()));
    QTest::qWait(50);
    const QByteArray directory = qgetenv("SWEEPLINE_SCREENSHOT_DIR");
    if (!directory.isEmpty())
        QVERIFY(f.panel.grab().save(QString::fromLocal8Bit(directory) + u"/campaign-early-stopping-asha.png"_s));

    chooseRule(f.panel, u"Hyperband"_s);
    QCOMPARE(shownOptions(f.panel), (QStringList{u"minSteps"_s, u"reductionFactor"_s, u"maxSteps"_s}));
    QCOMPARE(field<QSpinBox>(f.panel, "maxSteps")->text(), u"auto"_s);
    QVERIFY(!f.editor.campaign().search.earlyStopping.maxSteps);
    chooseRule(f.panel, u"Median"_s);
    QCOMPARE(shownOptions(f.panel), (QStringList{u"startupTrials"_s, u"warmupSteps"_s}));
    QVERIFY(help->text().contains(u"median"_s));
    chooseRule(f.panel, u"None"_s);
    QCOMPARE(shownOptions(f.panel), QStringList{});
    // Each rule has a one-line description in its tooltip too.
    auto* rule = field<QComboBox>(f.panel, "earlyStoppingRule");
    for (int i = 0; i < rule->count(); ++i)
        QVERIFY(!rule->itemData(i, Qt::ToolTipRole).toString().isEmpty());
}

void TestCampaignPanel::earlyStoppingRoundTripsEveryRule_data()
{
    QTest::addColumn<QString>("rule");
    QTest::addColumn<QStringList>("typed"); // box=value, in order
    QTest::addColumn<QString>("expected");
    QTest::addColumn<QByteArray>("json");
    QTest::addRow("none") << u"None"_s << QStringList{} << u"none startup=5 warmup=0 min=1 factor=3 max=auto"_s
                          << QByteArray();
    QTest::addRow("median") << u"Median"_s << QStringList{u"startupTrials=10"_s, u"warmupSteps=2"_s}
                            << u"median startup=10 warmup=2 min=1 factor=3 max=auto"_s
                            << QByteArray(R"("early_stopping":{"rule":"median","startup_trials":10,"warmup_steps":2})");
    QTest::addRow("asha") << u"ASHA"_s << QStringList{u"minSteps=3"_s, u"reductionFactor=4"_s}
                          << u"asha startup=5 warmup=0 min=3 factor=4 max=auto"_s
                          << QByteArray(R"("early_stopping":{"rule":"asha","min_steps":3,"reduction_factor":4})");
    QTest::addRow("hyperband auto")
        << u"Hyperband"_s << QStringList{u"minSteps=2"_s, u"reductionFactor=2"_s}
        << u"hyperband startup=5 warmup=0 min=2 factor=2 max=auto"_s
        << QByteArray(R"("early_stopping":{"rule":"hyperband","min_steps":2,"reduction_factor":2})");
    QTest::addRow("hyperband max")
        << u"Hyperband"_s << QStringList{u"minSteps=1"_s, u"reductionFactor=3"_s, u"maxSteps=81"_s}
        << u"hyperband startup=5 warmup=0 min=1 factor=3 max=81"_s
        << QByteArray(R"("early_stopping":{"rule":"hyperband","min_steps":1,"reduction_factor":3,"max_steps":81})");
}

void TestCampaignPanel::earlyStoppingRoundTripsEveryRule()
{
    QFETCH(QString, rule);
    QFETCH(QStringList, typed);
    QFETCH(QString, expected);
    QFETCH(QByteArray, json);
    QTemporaryDir dir;
    const QString path = dir.filePath(u"c.json"_s);
    PanelFixture f;
    QVERIFY(QTest::qWaitForWindowActive(&f.panel));
    if (rule != u"None")
        chooseRule(f.panel, rule);
    for (const QString& entry : typed) {
        const QStringList parts = entry.split(u'=');
        retype(field<QSpinBox>(f.panel, parts.at(0).toLatin1().constData()), parts.at(1));
    }
    QVERIFY2(f.editor.isValid(), qPrintable(f.editor.issues().value(0).toString()));
    QCOMPARE(describe(f.editor.campaign().search.earlyStopping), expected);
    QVERIFY(f.editor.save(path).ok());
    QFile file(path);
    QVERIFY(file.open(QIODevice::ReadOnly));
    const QByteArray written = file.readAll().simplified().replace(" ", "");
    if (json.isEmpty())
        QVERIFY2(!written.contains("early_stopping"), written.constData());
    else
        QVERIFY2(written.contains(json), written.constData());

    // Read back into another form: the same rule and options, the same boxes shown.
    PanelFixture g;
    QVERIFY(g.editor.load(path).ok());
    QCOMPARE(describe(g.editor.campaign().search.earlyStopping), expected);
    QCOMPARE(field<QComboBox>(g.panel, "earlyStoppingRule")->currentText(), rule);
    QCOMPARE(shownOptions(g.panel), shownOptions(f.panel));
    for (const QString& entry : typed) {
        const QStringList parts = entry.split(u'=');
        QCOMPARE(field<QSpinBox>(g.panel, parts.at(0).toLatin1().constData())->value(), parts.at(1).toInt());
    }
}

void TestCampaignPanel::earlyStoppingMarksBadValuesAndUndoes()
{
    PanelFixture f;
    QVERIFY(QTest::qWaitForWindowActive(&f.panel));
    auto* issues = field<QListWidget>(f.panel, "issueList");
    auto* factor = field<QSpinBox>(f.panel, "reductionFactor");
    auto* minSteps = field<QSpinBox>(f.panel, "minSteps");
    const QString ownToolTip = factor->toolTip();
    chooseRule(f.panel, u"ASHA"_s);
    retype(minSteps, u"3"_s);

    // The model's message, at the field, and in the list with its path.
    retype(factor, u"1"_s);
    QVERIFY(isMarkedInvalid(factor));
    QVERIFY2(factor->toolTip().contains(u"between 2 and 100"_s), qPrintable(factor->toolTip()));
    QCOMPARE(issues->count(), 1);
    QVERIFY2(issues->item(0)->text().startsWith(u"search.early_stopping.reduction_factor: "_s),
             qPrintable(issues->item(0)->text()));
    QVERIFY(!f.panel.runAllowed());
    retype(factor, u"4"_s);
    QVERIFY(!isMarkedInvalid(factor));
    QCOMPARE(factor->toolTip(), ownToolTip);
    QVERIFY(f.panel.runAllowed());

    // Undo walks back edit by edit (typing in one box is one step), the form following; redo returns.
    QUndoStack* undo = f.editor.undoStack();
    undo->undo(); // the factor
    QCOMPARE(factor->value(), 3);
    undo->undo(); // min steps
    QCOMPARE(minSteps->value(), 1);
    undo->undo(); // the rule
    QCOMPARE(f.editor.campaign().search.earlyStopping.rule, EarlyStoppingRule::None);
    QCOMPARE(shownOptions(f.panel), QStringList{});
    QVERIFY(!undo->canUndo());
    while (undo->canRedo())
        undo->redo();
    QCOMPARE(describe(f.editor.campaign().search.earlyStopping), u"asha startup=5 warmup=0 min=3 factor=4 max=auto"_s);
    QCOMPARE(shownOptions(f.panel), (QStringList{u"minSteps"_s, u"reductionFactor"_s}));
    QCOMPARE(factor->value(), 4);

    // A min_steps of 0 is the model's to refuse, at its own field.
    retype(minSteps, u"0"_s);
    QVERIFY(isMarkedInvalid(minSteps));
    QVERIFY(!isMarkedInvalid(factor));
    retype(minSteps, u"3"_s);
    QVERIFY(!isMarkedInvalid(minSteps));

    // Hyperband: a longest run shorter than the second rung is named at max steps.
    chooseRule(f.panel, u"Hyperband"_s);
    auto* maxSteps = field<QSpinBox>(f.panel, "maxSteps");
    QVERIFY(refusedThenAccepted(maxSteps, u"5"_s, u"(12)"_s, u"24"_s));
    QCOMPARE(f.editor.campaign().search.earlyStopping.maxSteps, std::optional<int>(24));
    undo->undo();
    QCOMPARE(maxSteps->text(), u"auto"_s);
    QVERIFY(!f.editor.campaign().search.earlyStopping.maxSteps);
    undo->redo();
    QCOMPARE(maxSteps->value(), 24);
    retype(maxSteps, u"0"_s); // back to auto, which the box says once the typing is done
    QTest::keyClick(maxSteps, Qt::Key_Tab);
    QCOMPARE(maxSteps->text(), u"auto"_s);
    QVERIFY(!f.editor.campaign().search.earlyStopping.maxSteps);
    QVERIFY(f.panel.runAllowed());
}

void TestCampaignPanel::earlyStoppingDraftKeepsBadValues()
{
    // A file the validator refuses opens in the form with its bad value, marked where it belongs.
    QTemporaryDir dir;
    const QString path = dir.filePath(u"bad.json"_s);
    QByteArray json = model::toJson(CampaignEditor::templateCampaign());
    json.replace(R"("seed": 0)",
                 R"("seed": 0, "early_stopping": {"rule": "asha", "min_steps": 2, "reduction_factor": 1})");
    QVERIFY(json.contains("early_stopping"));
    QFile file(path);
    QVERIFY(file.open(QIODevice::WriteOnly));
    file.write(json);
    file.close();
    PanelFixture f;
    const auto issues = f.editor.load(path);
    QVERIFY(issues.ok());
    QCOMPARE(issues->size(), 1);
    QCOMPARE(issues->first().path, u"search.early_stopping.reduction_factor"_s);
    QCOMPARE(field<QComboBox>(f.panel, "earlyStoppingRule")->currentText(), u"ASHA"_s);
    QCOMPARE(field<QSpinBox>(f.panel, "minSteps")->value(), 2);
    QCOMPARE(field<QSpinBox>(f.panel, "reductionFactor")->value(), 1);
    QVERIFY(isMarkedInvalid(field<QSpinBox>(f.panel, "reductionFactor")));
}

void TestCampaignPanel::stepPatternIsValidatedInline()
{
    PanelFixture f;
    QVERIFY(QTest::qWaitForWindowActive(&f.panel));
    auto* stepPattern = field<QLineEdit>(f.panel, "stepPattern");
    QVERIFY(refusedThenAccepted(stepPattern, u"epoch [0-9]+"_s, u"capture group"_s, u"epoch ([0-9]+)"_s));
    QCOMPARE(f.editor.campaign().objective.stepPattern, u"epoch ([0-9]+)"_s);
    QTemporaryDir dir;
    const QString path = dir.filePath(u"c.json"_s);
    QVERIFY(f.editor.save(path).ok());
    CampaignEditor reloaded;
    QVERIFY(reloaded.load(path).ok());
    QCOMPARE(reloaded.campaign().objective.stepPattern, u"epoch ([0-9]+)"_s);
    f.editor.undoStack()->undo();
    QCOMPARE(stepPattern->text(), QString());
    QVERIFY(!isMarkedInvalid(stepPattern));
}

void TestCampaignPanel::initTestCase()
{
    // Combos select by typed prefix ("sl" is slurm, "s" ssh); a loaded machine must not split a
    // word typed in one go into two searches.
    QApplication::setKeyboardInputInterval(10000);
}

QTEST_MAIN(TestCampaignPanel)
#include "tst_campaignpanel.moc"
