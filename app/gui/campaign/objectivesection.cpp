#include "gui/campaign/objectivesection.h"

#include "gui/campaign/campaigneditor.h"
#include "gui/campaign/issuemarks.h"
#include "gui/campaign/metrictest.h"

#include <QComboBox>
#include <QFontDatabase>
#include <QFormLayout>
#include <QLabel>
#include <QLineEdit>
#include <QPlainTextEdit>
#include <QSignalBlocker>
#include <QTextBlock>

using namespace Qt::StringLiterals;

namespace sweepline::gui {

ObjectiveSection::ObjectiveSection(CampaignEditor* editor, QWidget* parent)
    : QWidget(parent),
      m_editor(editor),
      m_metric(new QLineEdit(this)),
      m_direction(new QComboBox(this)),
      m_pattern(new QLineEdit(this)),
      m_stepPattern(new QLineEdit(this)),
      m_output(new QPlainTextEdit(this)),
      m_result(new QLabel(this))
{
    m_metric->setObjectName(u"metric"_s);
    m_metric->setToolTip(u"The name the training run prints its value under, e.g. loss"_s);
    m_direction->setObjectName(u"direction"_s);
    m_direction->addItem(u"minimize"_s);
    m_direction->addItem(u"maximize"_s);
    m_pattern->setObjectName(u"pattern"_s);
    m_pattern->setPlaceholderText(u"optional regular expression with one capture group"_s);
    m_pattern->setToolTip(u"Replaces the default rule (the number after \"<metric>:\" or \"<metric>=\")"_s);
    m_pattern->setFont(QFontDatabase::systemFont(QFontDatabase::FixedFont));
    m_stepPattern->setObjectName(u"stepPattern"_s);
    m_stepPattern->setPlaceholderText(u"optional: the step number, a regex with one capture group"_s);
    m_stepPattern->setToolTip(u"Where the run prints its step (epoch), e.g. epoch (\\d+); the values after it are "
                              "that step's. Empty: a value's step is its position (1, 2, ...). Early stopping "
                              "compares trials step by step"_s);
    m_stepPattern->setFont(QFontDatabase::systemFont(QFontDatabase::FixedFont));

    m_output->setObjectName(u"metricTestOutput"_s);
    m_output->setPlaceholderText(u"Paste a run's output here to test what the objective reads from it"_s);
    m_output->setFont(QFontDatabase::systemFont(QFontDatabase::FixedFont));
    m_output->setLineWrapMode(QPlainTextEdit::NoWrap);
    m_output->setMinimumHeight(90);
    m_output->setMaximumHeight(180); // a pasted log scrolls; the form stays in view
    m_result->setObjectName(u"metricTestResult"_s);
    m_result->setWordWrap(true);
    m_result->setTextFormat(Qt::RichText);
    m_result->setTextInteractionFlags(Qt::TextSelectableByMouse);

    auto* form = new QFormLayout(this);
    form->setContentsMargins(0, 0, 0, 0);
    form->addRow(u"&Metric:"_s, m_metric);
    form->addRow(u"&Direction:"_s, m_direction);
    form->addRow(u"&Pattern:"_s, m_pattern);
    form->addRow(u"Step patte&rn:"_s, m_stepPattern);
    form->addRow(u"&Test on output:"_s, m_output);
    form->addRow(QString(), m_result);

    connect(m_metric, &QLineEdit::textEdited, m_editor, &CampaignEditor::setMetric);
    connect(m_pattern, &QLineEdit::textEdited, m_editor, &CampaignEditor::setPattern);
    connect(m_stepPattern, &QLineEdit::textEdited, m_editor, &CampaignEditor::setStepPattern);
    connect(m_direction, &QComboBox::currentIndexChanged, this, [this](int index) {
        m_editor->setDirection(index == 1 ? model::Direction::Maximize : model::Direction::Minimize);
    });
    connect(m_output, &QPlainTextEdit::textChanged, this, &ObjectiveSection::runTest);
    connect(m_editor, &CampaignEditor::changed, this, &ObjectiveSection::refresh);
    refresh();
}

void ObjectiveSection::registerIssueTargets(IssueTargets& targets)
{
    targets.add(u"objective"_s, m_metric);
    targets.add(u"objective.metric"_s, m_metric);
    targets.add(u"objective.direction"_s, m_direction);
    targets.add(u"objective.pattern"_s, m_pattern);
    targets.add(u"objective.step_pattern"_s, m_stepPattern);
}

void ObjectiveSection::refresh()
{
    const model::Objective& objective = m_editor->campaign().objective;
    // Programmatic updates must not come back as edits: text only where it differs, signals blocked.
    if (m_metric->text() != objective.metric)
        m_metric->setText(objective.metric);
    if (m_pattern->text() != objective.pattern)
        m_pattern->setText(objective.pattern);
    if (m_stepPattern->text() != objective.stepPattern)
        m_stepPattern->setText(objective.stepPattern);
    {
        const QSignalBlocker blocker(m_direction);
        m_direction->setCurrentIndex(objective.direction == model::Direction::Maximize ? 1 : 0);
    }
    runTest();
}

void ObjectiveSection::runTest()
{
    const model::Objective& objective = m_editor->campaign().objective;
    const QString output = m_output->toPlainText();
    QList<QTextEdit::ExtraSelection> selections;
    if (output.isEmpty()) {
        m_result->setText(u"<i>Paste a run's output above to see the values it yields.</i>"_s);
        m_output->setExtraSelections(selections);
        return;
    }
    const MetricTestResult result = testMetric(objective.metric, objective.pattern, output, objective.stepPattern);
    m_result->setText(describeMetricTest(result, objective.metric, objective.pattern));
    // Every line that yields a value in light yellow, the trial's value's line stronger.
    for (int i = 0; i < result.lines.size(); ++i) {
        QTextEdit::ExtraSelection selection;
        selection.cursor = QTextCursor(m_output->document()->findBlockByNumber(result.lines.at(i)));
        selection.format.setProperty(QTextFormat::FullWidthSelection, true);
        const bool last = i + 1 == result.lines.size();
        selection.format.setBackground(last ? QColor(0xff, 0xe0, 0x82) : QColor(0xff, 0xf9, 0xc4));
        if (last)
            selection.format.setFontWeight(QFont::Bold);
        selections.append(selection);
    }
    m_output->setExtraSelections(selections);
}

} // namespace sweepline::gui
