#include "gui/campaign/searchsection.h"

#include "gui/campaign/campaigneditor.h"
#include "gui/campaign/issuemarks.h"
#include "tuning/strategy.h"

#include <QComboBox>
#include <QFormLayout>
#include <QGroupBox>
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

using model::EarlyStoppingRule;

QString ruleName(EarlyStoppingRule rule)
{
    switch (rule) {
    case EarlyStoppingRule::None:
        return u"None"_s;
    case EarlyStoppingRule::Median:
        return u"Median"_s;
    case EarlyStoppingRule::Asha:
        return u"ASHA"_s;
    case EarlyStoppingRule::Hyperband:
        return u"Hyperband"_s;
    }
    return {};
}

QString ruleDescription(EarlyStoppingRule rule)
{
    switch (rule) {
    case EarlyStoppingRule::None:
        return u"Every trial runs to its end."_s;
    case EarlyStoppingRule::Median:
        return u"Stops a trial that is worse than the median of the completed ones at the same step."_s;
    case EarlyStoppingRule::Asha:
        return u"Asynchronous successive halving: at steps min × factor^k, only the best 1/factor go on."_s;
    case EarlyStoppingRule::Hyperband:
        return u"Several ASHA brackets with later first rungs, so that slow starters get a chance."_s;
    }
    return {};
}

bool usesMedianOptions(EarlyStoppingRule rule)
{
    return rule == EarlyStoppingRule::Median;
}

bool usesRungOptions(EarlyStoppingRule rule)
{
    return rule == EarlyStoppingRule::Asha || rule == EarlyStoppingRule::Hyperband;
}

// The model's ranges (campaignreader.cpp), but starting one below its smallest valid value where
// that is above 0, so that a bad value typed reaches the validator, which names the rule, instead of
// being clamped silently.
QSpinBox* newOptionBox(const QString& name, int minimum, int maximum, const QString& toolTip, QWidget* parent)
{
    auto* box = new QSpinBox(parent);
    box->setObjectName(name);
    box->setRange(minimum, maximum);
    box->setToolTip(toolTip);
    return box;
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
      m_budgetHint(new QLabel(this)),
      m_earlyStopping(new QGroupBox(u"Early stopping"_s, this)),
      m_stoppingForm(new QFormLayout(m_earlyStopping)),
      m_rule(new QComboBox(m_earlyStopping)),
      m_ruleHelp(new QLabel(m_earlyStopping)),
      m_startupTrials(newOptionBox(u"startupTrials"_s, 0, 1000000,
                                   u"No trial is stopped before this many trials have completed"_s, m_earlyStopping)),
      m_warmupSteps(newOptionBox(u"warmupSteps"_s, 0, 1000000, u"No trial is stopped at a step up to this one"_s,
                                 m_earlyStopping)),
      m_minSteps(newOptionBox(u"minSteps"_s, 0, 1000000, u"The first rung: every trial runs at least this many steps"_s,
                              m_earlyStopping)),
      m_reductionFactor(newOptionBox(u"reductionFactor"_s, 1, 100,
                                     u"η: rungs at min × η^k, and the best 1/η at each rung go on"_s, m_earlyStopping)),
      m_maxSteps(newOptionBox(u"maxSteps"_s, 0, 10000000,
                              u"The longest run, in steps; auto: the steps of the first trial to complete"_s,
                              m_earlyStopping))
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
    form->addRow(m_earlyStopping);
    buildEarlyStopping();

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

void SearchSection::buildEarlyStopping()
{
    m_earlyStopping->setObjectName(u"earlyStopping"_s);
    m_rule->setObjectName(u"earlyStoppingRule"_s);
    for (EarlyStoppingRule rule : model::allEarlyStoppingRules()) {
        m_rule->addItem(ruleName(rule), int(rule));
        m_rule->setItemData(m_rule->count() - 1, ruleDescription(rule), Qt::ToolTipRole);
    }
    m_rule->setToolTip(u"Stops trials whose learning curve is already losing, while they run"_s);
    m_ruleHelp->setObjectName(u"earlyStoppingHelp"_s);
    m_ruleHelp->setWordWrap(true);
    m_ruleHelp->setStyleSheet(u"color: palette(mid);"_s);
    m_maxSteps->setSpecialValueText(u"auto"_s);

    m_stoppingForm->addRow(u"R&ule:"_s, m_rule);
    m_stoppingForm->addRow(QString(), m_ruleHelp);
    m_stoppingForm->addRow(u"Startup tria&ls:"_s, m_startupTrials);
    m_stoppingForm->addRow(u"&Warm-up steps:"_s, m_warmupSteps);
    m_stoppingForm->addRow(u"M&inimum steps:"_s, m_minSteps);
    m_stoppingForm->addRow(u"Reduction &factor:"_s, m_reductionFactor);
    m_stoppingForm->addRow(u"Ma&ximum steps:"_s, m_maxSteps);

    connect(m_rule, &QComboBox::currentIndexChanged, this,
            [this](int index) { m_editor->setEarlyStoppingRule(EarlyStoppingRule(m_rule->itemData(index).toInt())); });
    connect(m_startupTrials, &QSpinBox::valueChanged, m_editor, &CampaignEditor::setStartupTrials);
    connect(m_warmupSteps, &QSpinBox::valueChanged, m_editor, &CampaignEditor::setWarmupSteps);
    connect(m_minSteps, &QSpinBox::valueChanged, m_editor, &CampaignEditor::setMinSteps);
    connect(m_reductionFactor, &QSpinBox::valueChanged, m_editor, &CampaignEditor::setReductionFactor);
    connect(m_maxSteps, &QSpinBox::valueChanged, this, [this](int steps) {
        m_editor->setMaxSteps(steps == m_maxSteps->minimum() ? std::nullopt : std::optional<int>(steps));
    });
}

void SearchSection::registerIssueTargets(IssueTargets& targets)
{
    targets.add(u"search"_s, m_strategy);
    targets.add(u"search.strategy"_s, m_strategy);
    targets.add(u"search.max_trials"_s, m_maxTrials);
    targets.add(u"search.parallel"_s, m_parallel);
    targets.add(u"search.seed"_s, m_seed);
    targets.add(u"search.early_stopping"_s, m_rule);
    targets.add(u"search.early_stopping.rule"_s, m_rule);
    targets.add(u"search.early_stopping.startup_trials"_s, m_startupTrials);
    targets.add(u"search.early_stopping.warmup_steps"_s, m_warmupSteps);
    targets.add(u"search.early_stopping.min_steps"_s, m_minSteps);
    targets.add(u"search.early_stopping.reduction_factor"_s, m_reductionFactor);
    targets.add(u"search.early_stopping.max_steps"_s, m_maxSteps);
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
    refreshEarlyStopping();

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

void SearchSection::refreshEarlyStopping()
{
    const model::EarlyStopping& stopping = m_editor->campaign().search.earlyStopping;
    {
        const QSignalBlocker rule(m_rule);
        m_rule->setCurrentIndex(m_rule->findData(int(stopping.rule)));
        const std::pair<QSpinBox*, int> values[] = {{m_startupTrials, stopping.startupTrials},
                                                    {m_warmupSteps, stopping.warmupSteps},
                                                    {m_minSteps, stopping.minSteps},
                                                    {m_reductionFactor, stopping.reductionFactor},
                                                    {m_maxSteps, stopping.maxSteps.value_or(m_maxSteps->minimum())}};
        for (const auto& [box, value] : values) {
            const QSignalBlocker blocker(box);
            if (box->value() != value)
                box->setValue(value);
        }
    }
    m_ruleHelp->setText(ruleDescription(stopping.rule));
    m_stoppingForm->setRowVisible(m_startupTrials, usesMedianOptions(stopping.rule));
    m_stoppingForm->setRowVisible(m_warmupSteps, usesMedianOptions(stopping.rule));
    m_stoppingForm->setRowVisible(m_minSteps, usesRungOptions(stopping.rule));
    m_stoppingForm->setRowVisible(m_reductionFactor, usesRungOptions(stopping.rule));
    m_stoppingForm->setRowVisible(m_maxSteps, stopping.rule == EarlyStoppingRule::Hyperband);
}

} // namespace sweepline::gui
