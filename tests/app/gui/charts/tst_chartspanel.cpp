#include "gui/charts/chartspanel.h"
#include "gui/charts/curvepickermodel.h"
#include "gui/charts/learningcurvechart.h"
#include "gui/charts/parameterchart.h"
#include "gui/charts/timelinechart.h"
#include "gui/charts/transitionchart.h"
#include "samplecampaigns.h"
#include "support/verifyresult.h"

#include <QAbstractItemModelTester>
#include <QChartView>
#include <QCheckBox>
#include <QComboBox>
#include <QDir>
#include <QFile>
#include <QImage>
#include <QListView>
#include <QRadioButton>
#include <QScatterSeries>
#include <QSignalSpy>
#include <QTabWidget>
#include <QTemporaryDir>
#include <QTest>
#include <QXmlStreamReader>

using namespace Qt::StringLiterals;

using namespace sweepline;
using gui::ChartsPanel;
using Kind = gui::ChartsPanel::ChartKind;

namespace {

// The root element's name and how many elements the document has; empty name when it does not parse.
std::pair<QString, int> parseXml(const QString& path)
{
    QFile file(path);
    if (!file.open(QIODevice::ReadOnly))
        return {};
    QXmlStreamReader xml(&file);
    QString root;
    int elements = 0;
    while (!xml.atEnd()) {
        if (xml.readNext() == QXmlStreamReader::StartElement) {
            if (root.isEmpty())
                root = xml.name().toString();
            ++elements;
        }
    }
    if (xml.hasError())
        return {};
    return {root, elements};
}

} // namespace

class TestChartsPanel : public QObject {
    Q_OBJECT
private slots:
    void init();
    void cleanup();
    void hasOneTabPerChart();
    void parameterOptionsFollowTheCampaign();
    void optionsDriveTheCharts();
    void onlyTheChartOnShowRedraws();
    void exportsPng_data();
    void exportsPng();
    void exportsSvg_data();
    void exportsSvg();
    void exportOfAVisibleChartUsesItsSize();
    void exportRefusesOtherFormats();
    void suggestsFileNames();
    void pickerModelPassesTheTester();
    void pickerListsTrialsWithCurvesBestFirst();
    void tickingATrialChoosesTheCurves();
    void gallery_data();
    void gallery();

private:
    std::unique_ptr<model::TrialTableModel> m_model;
    std::unique_ptr<ChartsPanel> m_panel;
    QTemporaryDir m_dir;
};

void TestChartsPanel::init()
{
    m_model = std::make_unique<model::TrialTableModel>();
    const model::Campaign campaign = samples::fiveParameterCampaign();
    m_model->setCampaign(campaign);
    m_model->setTrials(samples::fiveParameterTrials(campaign, 200));
    m_panel = std::make_unique<ChartsPanel>(m_model.get());
    m_panel->resize(1000, 650);
}

void TestChartsPanel::cleanup()
{
    m_panel.reset();
    m_model.reset();
}

void TestChartsPanel::hasOneTabPerChart()
{
    auto* tabs = m_panel->findChild<QTabWidget*>();
    QVERIFY(tabs);
    QCOMPARE(tabs->count(), ChartsPanel::allCharts().size());
    for (int i = 0; i < tabs->count(); ++i)
        QCOMPARE(tabs->tabText(i), ChartsPanel::title(ChartsPanel::allCharts().at(i)));
    m_panel->setCurrentChart(Kind::Timeline);
    QCOMPARE(m_panel->currentChart(), Kind::Timeline);
    QCOMPARE(tabs->currentIndex(), 3);
}

void TestChartsPanel::parameterOptionsFollowTheCampaign()
{
    const auto combos = m_panel->findChildren<QComboBox*>();
    QCOMPARE(combos.size(), 2); // objective and execution time
    for (QComboBox* combo : combos) {
        QCOMPARE(combo->count(), 5);
        QCOMPARE(combo->itemText(2), u"learning_rate"_s);
    }
    m_model->setCampaign(samples::batchSizeCampaign());
    m_panel->objectiveChart()->flush();
    m_panel->executionTimeChart()->flush();
    for (QComboBox* combo : combos) {
        QCOMPARE(combo->count(), 1);
        QCOMPARE(combo->currentText(), u"batch_size"_s);
    }
}

void TestChartsPanel::optionsDriveTheCharts()
{
    auto* combo = m_panel->findChild<QComboBox*>(u"objectiveParameter"_s);
    auto* log = m_panel->findChild<QCheckBox*>(u"objectiveLogScale"_s);
    QVERIFY(combo && log);
    QVERIFY(!log->isChecked());
    combo->setCurrentIndex(2); // learning_rate: a log range
    QCOMPARE(m_panel->objectiveChart()->parameter(), 2);
    QVERIFY(log->isChecked());
    QVERIFY(log->isEnabled());
    log->setChecked(false);
    QVERIFY(!m_panel->objectiveChart()->logScale());
    // The execution time chart has options of its own.
    QCOMPARE(m_panel->executionTimeChart()->parameter(), 0);
    m_panel->findChild<QComboBox*>(u"executionTimeParameter"_s)->setCurrentIndex(4);
    QCOMPARE(m_panel->executionTimeChart()->parameter(), 4);
    QCOMPARE(m_panel->objectiveChart()->parameter(), 2);
    auto* bestSoFar = m_panel->findChild<QCheckBox*>(u"bestSoFar"_s);
    QVERIFY(bestSoFar);
    bestSoFar->setChecked(true);
    QVERIFY(m_panel->transitionChart()->showBestSoFar());
}

void TestChartsPanel::onlyTheChartOnShowRedraws()
{
    m_panel->show();
    QVERIFY(QTest::qWaitForWindowExposed(m_panel.get()));
    m_panel->setCurrentChart(Kind::Transition);
    QVERIFY(m_panel->transitionChart()->isLive());
    QVERIFY(!m_panel->objectiveChart()->isLive());
    QVERIFY(!m_panel->timelineChart()->isLive());
    m_panel->hide();
    QVERIFY(!m_panel->transitionChart()->isLive());
}

void TestChartsPanel::exportsPng_data()
{
    QTest::addColumn<Kind>("kind");
    for (Kind kind : ChartsPanel::allCharts())
        QTest::addRow("%s", qPrintable(ChartsPanel::title(kind))) << kind;
}

void TestChartsPanel::exportsPng()
{
    QFETCH(Kind, kind);
    const QString path = m_dir.filePath(u"chart.png"_s);
    const model::Status status = m_panel->exportChart(kind, path);
    QVERIFY_RESULT(status);
    QImage image(path);
    QVERIFY(!image.isNull());
    QCOMPARE(image.size(), ChartsPanel::defaultExportSize * 2);
    // Not blank: the figure has dark pixels (text, axes, dots).
    int dark = 0;
    for (int y = 0; y < image.height(); y += 4) {
        for (int x = 0; x < image.width(); x += 4)
            dark += qGray(image.pixel(x, y)) < 128;
    }
    QVERIFY2(dark > 100, qPrintable(QString::number(dark)));
}

void TestChartsPanel::exportsSvg_data()
{
    exportsPng_data();
}

void TestChartsPanel::exportsSvg()
{
    QFETCH(Kind, kind);
    const QString path = m_dir.filePath(u"chart.svg"_s);
    const model::Status status = m_panel->exportChart(kind, path);
    QVERIFY_RESULT(status);
    QVERIFY(QFileInfo(path).size() > 0);
    const auto [root, elements] = parseXml(path);
    QCOMPARE(root, u"svg"_s);
    QVERIFY(elements > 50);
    // Vectors all through: dots as circles, no embedded raster images.
    QFile file(path);
    QVERIFY(file.open(QIODevice::ReadOnly));
    const QByteArray svg = file.readAll();
    QVERIFY(!svg.contains("<image"));
    if (kind == Kind::Objective || kind == Kind::Transition)
        QVERIFY(svg.count("<circle") >= 150);
}

void TestChartsPanel::exportOfAVisibleChartUsesItsSize()
{
    m_panel->show();
    QVERIFY(QTest::qWaitForWindowExposed(m_panel.get()));
    m_panel->setCurrentChart(Kind::Objective);
    const QSize viewSize = m_panel->view(Kind::Objective)->size();
    QVERIFY(viewSize.width() >= 320);
    const QString path = m_dir.filePath(u"visible.png"_s);
    QVERIFY(m_panel->exportChart(Kind::Objective, path).ok());
    QCOMPARE(QImage(path).size(), viewSize * 2);
    // The chart on screen keeps its size.
    QCOMPARE(m_panel->view(Kind::Objective)->chart()->size(), QSizeF(viewSize));
}

void TestChartsPanel::exportRefusesOtherFormats()
{
    const model::Status status = m_panel->exportChart(Kind::Objective, m_dir.filePath(u"chart.pdf"_s));
    QVERIFY(!status.ok());
    QVERIFY(status.error().contains(u".png or .svg"_s));
    QVERIFY(!m_panel->exportChart(Kind::Objective, u"/nonexistent/dir/chart.png"_s).ok());
    QVERIFY(!m_panel->exportChart(Kind::Objective, u"/nonexistent/dir/chart.svg"_s).ok());
}

void TestChartsPanel::suggestsFileNames()
{
    QCOMPARE(m_panel->suggestedFileName(Kind::Objective), u"pedestrian-fde-objective-vs-rnn_size"_s);
    QCOMPARE(m_panel->suggestedFileName(Kind::Timeline), u"pedestrian-fde-timeline"_s);
}

void TestChartsPanel::pickerModelPassesTheTester()
{
    gui::CurvePickerModel picker(m_model.get());
    QAbstractItemModelTester tester(&picker, QAbstractItemModelTester::FailureReportingMode::QtTest);
    const model::Campaign campaign = m_model->campaign();
    QList<model::TrialRecord> trials = samples::fiveParameterTrials(campaign, 230);
    for (int i = 200; i < trials.size(); ++i)
        m_model->upsert(trials.at(i));
    model::TrialRecord changed = trials.at(3);
    changed.value = 0.01;
    m_model->upsert(changed);
    picker.setChecked({1, 2});
    QVERIFY(picker.setData(picker.index(0, 0), Qt::Checked, Qt::CheckStateRole));
    m_model->setTrials(trials.mid(0, 10));
    m_model->setCampaign(samples::batchSizeCampaign());
}

void TestChartsPanel::pickerListsTrialsWithCurvesBestFirst()
{
    gui::CurvePickerModel picker(m_model.get());
    int withCurves = 0;
    for (const model::TrialRecord& t : m_model->trials())
        withCurves += !t.intermediate.isEmpty();
    QCOMPARE(picker.rowCount(), withCurves);
    QCOMPARE(picker.columnCount(), 1);
    double previous = -1;
    for (int row = 0; row < picker.rowCount(); ++row) {
        const qint64 id = picker.index(row, 0).data(model::TrialTableModel::TrialIdRole).toLongLong();
        const model::TrialRecord& t = m_model->trialAt(m_model->rowOfTrial(id));
        QVERIFY(t.value);
        QVERIFY(*t.value >= previous);
        previous = *t.value;
    }
    QVERIFY(picker.index(0, 0).data().toString().startsWith(u"Trial "_s));
    QVERIFY(picker.index(0, 0).data().toString().contains(u"30 reports"_s));
}

void TestChartsPanel::tickingATrialChoosesTheCurves()
{
    gui::LearningCurveChart* curves = m_panel->learningCurveChart();
    curves->flush();
    QVERIFY(curves->automaticSelection());
    auto* view = m_panel->findChild<QListView*>(u"curveTrials"_s);
    auto* picker = qobject_cast<gui::CurvePickerModel*>(view->model());
    QVERIFY(picker);
    // The automatic choice shows as ticks.
    QCOMPARE(picker->checked(), curves->shownTrials());
    QCOMPARE(picker->index(0, 0).data(Qt::CheckStateRole).toInt(), int(Qt::Checked));
    // Unticking the best makes the choice the user's.
    const qint64 best = picker->index(0, 0).data(model::TrialTableModel::TrialIdRole).toLongLong();
    QVERIFY(picker->setData(picker->index(0, 0), Qt::Unchecked, Qt::CheckStateRole));
    QVERIFY(!curves->automaticSelection());
    QVERIFY(!curves->shownTrials().contains(best));
    QCOMPARE(curves->shownTrials().size(), 5);
    auto* automatic = m_panel->findChild<QRadioButton*>(u"automaticCurves"_s);
    QVERIFY(automatic && !automatic->isChecked());
    automatic->setChecked(true);
    QVERIFY(curves->automaticSelection());
    QVERIFY(curves->shownTrials().contains(best));
}

void TestChartsPanel::gallery_data()
{
    QTest::addColumn<QString>("campaign");
    QTest::addRow("five parameters") << u"five"_s;
    QTest::addRow("batch size") << u"batch"_s;
    QTest::addRow("running") << u"running"_s;
    QTest::addRow("with a choice") << u"choice"_s;
    QTest::addRow("early stopping") << u"pruned"_s;
}

namespace {

// Early stopping as ASHA does it: the worse half of the trials, judged at step 8, stopped there (each
// printed one more value before the cancel reached it). The ids of the three best pruned ones.
QList<qint64> pruneTheWorseHalf(QList<model::TrialRecord>& trials)
{
    QList<double> values;
    for (const model::TrialRecord& t : trials) {
        if (t.state == model::TrialState::Done && t.value && t.intermediate.size() > 9)
            values.append(t.intermediate.at(7));
    }
    std::sort(values.begin(), values.end());
    const double median = values.at(values.size() / 2);
    QList<qint64> pruned;
    for (model::TrialRecord& t : trials) {
        if (t.state != model::TrialState::Done || !t.value || t.intermediate.size() <= 9
            || t.intermediate.at(7) <= median)
            continue;
        t.state = model::TrialState::Pruned;
        t.pruneAt = model::CurvePoint{8, t.intermediate.at(7)};
        t.intermediate = t.intermediate.first(9);
        t.value.reset();
        t.finishedAt = t.startedAt.addSecs(t.startedAt.secsTo(t.finishedAt) * 9 / 30);
        pruned.append(t.id);
    }
    return pruned.first(3);
}

} // namespace

// Every chart of realistic campaigns exports; with SWEEPLINE_CHART_GALLERY set, into that folder to be
// looked at.
void TestChartsPanel::gallery()
{
    QFETCH(QString, campaign);
    const bool batch = campaign == u"batch"_s;
    model::Campaign c = batch ? samples::batchSizeCampaign() : samples::fiveParameterCampaign();
    QList<model::TrialRecord> trials = batch
        ? samples::batchSizeTrials(c)
        : samples::fiveParameterTrials(c, 200, 8, campaign == u"running"_s ? 11 : 0);
    const bool choice = campaign == u"choice"_s;
    const QList<qint64> pruned = campaign == u"pruned"_s ? pruneTheWorseHalf(trials) : QList<qint64>();
    if (choice) {
        // A categorical sixth parameter: its chart gets a category axis.
        model::Parameter optimizer;
        optimizer.name = u"optimizer"_s;
        optimizer.type = model::ParameterType::Choice;
        optimizer.candidates = {u"sgd"_s, u"adam"_s, u"rmsprop"_s};
        optimizer.listedValues = optimizer.candidates;
        c.parameters.append(optimizer);
        for (model::TrialRecord& t : trials) {
            t.values.append(optimizer.candidates.at(int(t.id % 3)));
            if (t.value && t.id % 3 == 0)
                *t.value += 0.05;
        }
    }
    m_model->setCampaign(c);
    m_model->setTrials(trials);
    if (campaign == u"running"_s) {
        QDateTime now = trials.last().submittedAt.addSecs(qint64{40} * 60);
        m_panel->timelineChart()->setClock([now] { return now; });
        m_panel->transitionChart()->setShowBestSoFar(true);
    }
    if (!pruned.isEmpty()) {
        m_panel->transitionChart()->setShowBestSoFar(true);
        QList<qint64> shown = pruned;
        for (const model::TrialRecord& t : trials) {
            if (t.state == model::TrialState::Done && shown.size() < 6)
                shown.append(t.id);
        }
        m_panel->learningCurveChart()->setSelectedTrials(shown);
    }
    m_panel->objectiveChart()->setParameter(batch ? 0 : choice ? 5 : 2);
    m_panel->executionTimeChart()->setParameter(0);
    const QString folder = qEnvironmentVariable("SWEEPLINE_CHART_GALLERY", m_dir.path());
    QDir().mkpath(folder);
    for (Kind kind : ChartsPanel::allCharts()) {
        for (const char* suffix : {".png", ".svg"}) {
            const QString path =
                QDir(folder).filePath(campaign + u'-' + m_panel->suggestedFileName(kind) + QLatin1String(suffix));
            const model::Status status = m_panel->exportChart(kind, path);
            QVERIFY_RESULT(status);
            QVERIFY(QFileInfo(path).size() > 1000);
        }
    }
    // And the panel as it is on screen, each tab in turn.
    m_panel->show();
    QVERIFY(QTest::qWaitForWindowExposed(m_panel.get()));
    for (Kind kind : ChartsPanel::allCharts()) {
        m_panel->setCurrentChart(kind);
        QTRY_VERIFY(!m_panel->chart(kind)->hasPendingUpdates());
        const QPixmap shot = m_panel->grab();
        QVERIFY(!shot.isNull());
        QVERIFY(
            shot.save(QDir(folder).filePath(campaign + u"-panel-"_s + m_panel->suggestedFileName(kind) + u".png"_s)));
    }
}

QTEST_MAIN(TestChartsPanel)
#include "tst_chartspanel.moc"
