#include "gui/campaign/searchsection.h"

#include "gui/campaign/campaigneditor.h"
#include "gui/campaign/issuemarks.h"
#include "tuning/strategy.h"

#include <QComboBox>
#include <QFormLayout>
#include <QLabel>
#include <QLineEdit>
#include <QLocale>
#include <QRegularExpressionValidator>
#include <QSignalBlocker>
#include <QSpinBox>

#include <limits>

using namespace Qt::StringLiterals;

namespace sweepline::gui {

namespace {

QString strategyDescription(const QString& name)
{
    if (name == u"grid")
        return u"Every point of the search space, starting at the defaults."_s;
    if (name == u"random")
        return u"Points drawn at random (seeded), never the same one twice."_s;
    if (name == u"tpe")
        return u"Tree-structured Parzen estimator: learns from the results which regions look best."_s;
    if (name == u"dspline")
        return u"d-Spline: iterative one-dimensional searches along directions, fitting a spline to "
               "the measurements on each line (for ordered numeric parameters)."_s;
    return {};
}

} // namespace

SearchSection::SearchSection(CampaignEditor* editor, QWidget* parent)
    : QWidget(parent),
      m_editor(editor),
      m_strategy(new QComboBox(this)),
      m_strategyHelp(new QLabel(this)),
      m_maxTrials(new QSpinBox(this)),
      m_parallel(new QSpinBox(this)),
      m_seed(new QLineEdit(this)),
      m_budgetHint(new QLabel(this))
{
    m_strategy->setObjectName(u"strategy"_s);
    for (const std::string& name : tuning::strategyNames()) {
        const QString text = QString::fromStdString(name);
        m_strategy->addItem(text);
        m_strategy->setItemData(m_strategy->count() - 1, strategyDescription(text), Qt::ToolTipRole);
    }
    m_strategyHelp->setWordWrap(true);
    m_strategyHelp->setStyleSheet(u"color: palette(mid);"_s);

    // The spin boxes start at 0 so that an invalid 0 typed by the user reaches the validator, which
    // names the rule, instead of being silently clamped.
    m_maxTrials->setObjectName(u"maxTrials"_s);
    m_maxTrials->setRange(0, std::numeric_limits<int>::max());
    m_maxTrials->setGroupSeparatorShown(true);
    m_maxTrials->setToolTip(u"The budget: how many trials at most"_s);
    m_parallel->setObjectName(u"parallel"_s);
    m_parallel->setRange(0, 100000);
    m_parallel->setToolTip(u"How many trials run at the same time"_s);
    m_seed->setObjectName(u"seed"_s);
    m_seed->setValidator(new QRegularExpressionValidator(QRegularExpression(u"[0-9]{0,20}"_s), m_seed));
    m_seed->setToolTip(u"Seed of the random choices (random, TPE); the same seed proposes the same points"_s);
    m_budgetHint->setObjectName(u"budgetHint"_s);
    m_budgetHint->setStyleSheet(u"color: palette(mid);"_s);

    auto* form = new QFormLayout(this);
    form->setContentsMargins(0, 0, 0, 0);
    form->addRow(u"&Strategy:"_s, m_strategy);
    form->addRow(QString(), m_strategyHelp);
    form->addRow(u"&Budget (trials):"_s, m_maxTrials);
    form->addRow(QString(), m_budgetHint);
    form->addRow(u"P&arallel trials:"_s, m_parallel);
    form->addRow(u"S&eed:"_s, m_seed);

    connect(m_strategy, &QComboBox::currentTextChanged, m_editor, &CampaignEditor::setStrategy);
    connect(m_maxTrials, &QSpinBox::valueChanged, m_editor, &CampaignEditor::setMaxTrials);
    connect(m_parallel, &QSpinBox::valueChanged, m_editor, &CampaignEditor::setParallel);
    connect(m_seed, &QLineEdit::textEdited, this, [this](const QString& text) {
        bool ok = false;
        const quint64 seed = text.toULongLong(&ok);
        if (ok)
            m_editor->setSeed(seed);
    });
    connect(m_editor, &CampaignEditor::changed, this, &SearchSection::refresh);
    refresh();
}

void SearchSection::registerIssueTargets(IssueTargets& targets)
{
    targets.add(u"search"_s, m_strategy);
    targets.add(u"search.strategy"_s, m_strategy);
    targets.add(u"search.max_trials"_s, m_maxTrials);
    targets.add(u"search.parallel"_s, m_parallel);
    targets.add(u"search.seed"_s, m_seed);
}

void SearchSection::refresh()
{
    const model::Campaign& campaign = m_editor->campaign();
    const model::SearchSettings& search = campaign.search;
    {
        const QSignalBlocker strategy(m_strategy);
        const QSignalBlocker maxTrials(m_maxTrials);
        const QSignalBlocker parallel(m_parallel);
        if (m_strategy->findText(search.strategy) < 0)
            m_strategy->addItem(search.strategy); // unknown to this build: shown, and marked by the validator
        m_strategy->setCurrentText(search.strategy);
        if (m_maxTrials->value() != search.maxTrials)
            m_maxTrials->setValue(search.maxTrials);
        if (m_parallel->value() != search.parallel)
            m_parallel->setValue(search.parallel);
    }
    bool ok = false;
    if (m_seed->text().toULongLong(&ok) != search.seed || !ok)
        m_seed->setText(QString::number(search.seed));
    m_strategyHelp->setText(strategyDescription(search.strategy));

    double points = campaign.parameters.isEmpty() ? 0 : 1;
    for (const model::Parameter& p : campaign.parameters)
        points *= double(p.candidates.size());
    if (points <= 0) {
        m_budgetHint->clear();
    } else if (search.maxTrials >= points) {
        m_budgetHint->setText(u"Covers the whole search space (%1 points)"_s.arg(QLocale().toString(points, 'f', 0)));
    } else {
        m_budgetHint->setText(u"Tries %1% of the %2 points of the search space"_s.arg(
            QLocale().toString(100.0 * search.maxTrials / points, 'g', 3), QLocale().toString(points, 'g', 6)));
    }
}

} // namespace sweepline::gui
