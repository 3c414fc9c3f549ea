#include "gui/campaign/campaignpanel.h"

#include "gui/campaign/campaigneditor.h"
#include "gui/campaign/issuemarks.h"
#include "gui/campaign/jobsection.h"
#include "gui/campaign/objectivesection.h"
#include "gui/campaign/parametersection.h"
#include "gui/campaign/parametertablemodel.h"
#include "gui/campaign/searchsection.h"

#include <QFormLayout>
#include <QGroupBox>
#include <QHBoxLayout>
#include <QLabel>
#include <QLineEdit>
#include <QListWidget>
#include <QScrollArea>
#include <QTableView>
#include <QVBoxLayout>

using namespace Qt::StringLiterals;

namespace sweepline::gui {

namespace {

constexpr int kPathRole = Qt::UserRole + 1;

QGroupBox* group(const QString& title, QWidget* content, QWidget* parent)
{
    auto* box = new QGroupBox(title, parent);
    auto* layout = new QVBoxLayout(box);
    layout->addWidget(content);
    return box;
}

} // namespace

CampaignPanel::CampaignPanel(CampaignEditor* editor, QWidget* parent)
    : QWidget(parent),
      m_editor(editor),
      m_targets(std::make_unique<IssueTargets>()),
      m_scroll(new QScrollArea(this)),
      m_name(new QLineEdit),
      m_parameters(new ParameterSection(editor)),
      m_objective(new ObjectiveSection(editor)),
      m_search(new SearchSection(editor)),
      m_job(new JobSection(editor)),
      m_status(new QLabel),
      m_issues(new QListWidget)
{
    setStyleSheet(invalidFieldStyleSheet());
    m_name->setObjectName(u"campaignName"_s);
    m_name->setToolTip(u"Names the campaign's folder on clusters: letters, digits, '.', '_' and '-'"_s);
    m_status->setObjectName(u"validityStatus"_s);
    m_status->setWordWrap(true);
    m_issues->setObjectName(u"issueList"_s);
    m_issues->setMaximumHeight(120);
    m_issues->setToolTip(u"Double-click or press Enter to go to the field"_s);

    auto* content = new QWidget;
    auto* name = new QFormLayout;
    name->addRow(u"Campaign &name:"_s, m_name);

    auto* objectiveAndSearch = new QHBoxLayout;
    objectiveAndSearch->addWidget(group(u"Objective"_s, m_objective, content), 3);
    objectiveAndSearch->addWidget(group(u"Search"_s, m_search, content), 2);

    auto* layout = new QVBoxLayout(content);
    layout->addLayout(name);
    layout->addWidget(group(u"Parameters"_s, m_parameters, content), 2);
    layout->addLayout(objectiveAndSearch);
    layout->addWidget(group(u"Job"_s, m_job, content));

    m_scroll->setWidget(content);
    m_scroll->setWidgetResizable(true);
    m_scroll->setFrameShape(QFrame::NoFrame);

    auto* problems = new QVBoxLayout;
    problems->setContentsMargins(9, 0, 9, 6);
    problems->addWidget(m_status);
    problems->addWidget(m_issues);
    auto* outer = new QVBoxLayout(this);
    outer->setContentsMargins(0, 0, 0, 0);
    outer->addWidget(m_scroll, 1);
    outer->addLayout(problems);

    m_targets->add(u"name"_s, m_name);
    m_objective->registerIssueTargets(*m_targets);
    m_search->registerIssueTargets(*m_targets);
    m_job->registerIssueTargets(*m_targets);

    connect(m_name, &QLineEdit::textEdited, m_editor, &CampaignEditor::setName);
    connect(m_issues, &QListWidget::itemActivated, this,
            [this](QListWidgetItem* item) { focusIssue(item->data(kPathRole).toString()); });
    connect(m_editor, &CampaignEditor::changed, this, &CampaignPanel::refresh);
    connect(m_editor, &CampaignEditor::issuesChanged, this, &CampaignPanel::showIssues);
    connect(m_editor, &CampaignEditor::validityChanged, this, &CampaignPanel::runAllowedChanged);
    refresh();
    showIssues();
}

CampaignPanel::~CampaignPanel() = default;

bool CampaignPanel::runAllowed() const
{
    return m_editor->isValid();
}

void CampaignPanel::refresh()
{
    if (m_name->text() != m_editor->campaign().name)
        m_name->setText(m_editor->campaign().name);
}

void CampaignPanel::showIssues()
{
    const QList<model::ValidationIssue>& issues = m_editor->issues();
    m_targets->show(issues);
    m_issues->clear();
    for (const model::ValidationIssue& issue : issues) {
        auto* item = new QListWidgetItem(issue.toString(), m_issues);
        item->setData(kPathRole, issue.path);
        item->setForeground(QColor(0xb7, 0x1c, 0x1c));
    }
    m_issues->setVisible(!issues.isEmpty());
    if (issues.isEmpty()) {
        m_status->setText(u"<span style=\"color:#2e7d32\">✔ The campaign is valid and ready to run.</span>"_s);
    } else {
        m_status->setText(u"<span style=\"color:#b71c1c\"><b>%1</b> to fix before the campaign can run:</span>"_s.arg(
            issues.size() == 1 ? u"1 problem"_s : u"%1 problems"_s.arg(issues.size())));
    }
}

bool CampaignPanel::focusIssue(const QString& path)
{
    if (m_parameters->focusIssue(path)) {
        m_scroll->ensureWidgetVisible(m_parameters->view());
        return true;
    }
    QWidget* widget = m_targets->widgetFor(path);
    if (!widget)
        return false;
    m_scroll->ensureWidgetVisible(widget);
    widget->setFocus(Qt::OtherFocusReason);
    return true;
}

} // namespace sweepline::gui
