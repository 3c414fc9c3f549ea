#include "gui/campaign/campaigneditor.h"

#include "gui/campaign/campaigncommands.h"
#include "gui/campaign/campaigndraft.h"
#include "gui/campaign/parameteredit.h"
#include "model/trialstore.h"

#include <QFile>
#include <QFileInfo>
#include <QSaveFile>
#include <QUndoStack>

using namespace Qt::StringLiterals;

namespace sweepline::gui {

namespace {

bool sameIssues(const QList<model::ValidationIssue>& a, const QList<model::ValidationIssue>& b)
{
    if (a.size() != b.size())
        return false;
    for (qsizetype i = 0; i < a.size(); ++i) {
        if (a.at(i).path != b.at(i).path || a.at(i).message != b.at(i).message)
            return false;
    }
    return true;
}

QByteArray settingsJson(model::Campaign campaign)
{
    campaign.parameters.clear();
    return model::toJson(campaign);
}

// Renames the placeholder {from} to {to} in a command, leaving "{{" and "}}" escapes alone.
QString renamePlaceholder(const QString& command, const QString& from, const QString& to)
{
    QString result;
    for (qsizetype i = 0; i < command.size();) {
        const QStringView rest = QStringView(command).mid(i);
        if (rest.startsWith(u"{{") || rest.startsWith(u"}}")) {
            result += rest.left(2);
            i += 2;
        } else if (rest.startsWith(u'{') && rest.mid(1).startsWith(from)
                   && rest.mid(1 + from.size()).startsWith(u'}')) {
            result += u'{' + to + u'}';
            i += from.size() + 2;
        } else {
            result += command.at(i++);
        }
    }
    return result;
}

} // namespace

CampaignEditor::CampaignEditor(QObject* parent) : QObject(parent), m_undoStack(new QUndoStack(this))
{
    connect(m_undoStack, &QUndoStack::cleanChanged, this, [this](bool clean) { emit modifiedChanged(!clean); });
    m_campaign = templateCampaign();
    for (model::Parameter& parameter : m_campaign.parameters)
        expandCandidates(parameter);
    revalidate();
}

CampaignEditor::~CampaignEditor() = default;

model::Campaign CampaignEditor::templateCampaign()
{
    model::Campaign campaign;
    campaign.name = u"new-campaign"_s;
    model::Parameter x;
    x.name = u"x"_s;
    x.type = model::ParameterType::Int;
    x.listedValues = {QVariant::fromValue(qint64(1)), QVariant::fromValue(qint64(2)), QVariant::fromValue(qint64(4)),
                      QVariant::fromValue(qint64(8))};
    x.defaultValue = QVariant::fromValue(qint64(1));
    campaign.parameters = {x};
    campaign.objective.metric = u"loss"_s;
    campaign.objective.direction = model::Direction::Minimize;
    campaign.search.strategy = u"grid"_s;
    campaign.search.maxTrials = 100;
    campaign.search.parallel = 1;
    campaign.job.command = u"python3 train.py --x {x}"_s;
    campaign.cluster = model::ClusterSettings{};
    return campaign;
}

bool CampaignEditor::isModified() const
{
    return !m_undoStack->isClean();
}

std::optional<model::Campaign> CampaignEditor::runnableCampaign() const
{
    return m_validated;
}

void CampaignEditor::newCampaign()
{
    setCampaign(templateCampaign());
}

void CampaignEditor::setCampaign(const model::Campaign& campaign, const QString& sourcePath)
{
    m_campaign = campaign;
    for (model::Parameter& parameter : m_campaign.parameters)
        expandCandidates(parameter);
    const QString path = sourcePath.isEmpty() ? QString() : QFileInfo(sourcePath).absoluteFilePath();
    m_campaign.sourcePath = path;
    m_undoStack->clear();
    m_stateDirectoryOverride.clear();
    const bool pathChanged = path != m_sourcePath;
    m_sourcePath = path;
    emit parametersReset();
    if (pathChanged)
        emit sourcePathChanged(m_sourcePath);
    afterChange();
}

QString CampaignEditor::stateDirectory() const
{
    if (!m_stateDirectoryOverride.isEmpty())
        return m_stateDirectoryOverride;
    return m_sourcePath.isEmpty() ? QString() : model::defaultStateDirectory(m_sourcePath);
}

void CampaignEditor::setStateDirectoryOverride(const QString& directory)
{
    const QString absolute = directory.isEmpty() ? QString() : QFileInfo(directory).absoluteFilePath();
    if (absolute == m_stateDirectoryOverride)
        return;
    m_stateDirectoryOverride = absolute;
    emit changed(); // the script preview shows the run folder
}

model::Result<QList<model::ValidationIssue>> CampaignEditor::load(const QString& path)
{
    using R = model::Result<QList<model::ValidationIssue>>;
    const model::ParseOutcome outcome = model::loadCampaignFile(path);
    if (outcome.campaign) {
        setCampaign(*outcome.campaign, path);
        return QList<model::ValidationIssue>{};
    }
    // Refused by the validator: open what can be held, unless the file cannot be read or parsed.
    QFile file(path);
    std::optional<model::Campaign> draft;
    if (file.open(QIODevice::ReadOnly) && file.size() < qint64{16} * 1024 * 1024)
        draft = readCampaignDraft(file.readAll());
    if (!draft) {
        const QString reason = outcome.issues.isEmpty() ? u"not a campaign file"_s : outcome.issues.first().toString();
        return R::failure(u"Cannot open %1: %2"_s.arg(QFileInfo(path).fileName(), reason));
    }
    setCampaign(*draft, path);
    return outcome.issues;
}

model::Status CampaignEditor::save(const QString& path)
{
    QSaveFile file(path);
    if (!file.open(QIODevice::WriteOnly) || file.write(model::toJson(m_campaign)) < 0 || !file.commit())
        return model::Status::failure(u"Cannot save %1: %2"_s.arg(path, file.errorString()));
    const QString absolute = QFileInfo(path).absoluteFilePath();
    m_undoStack->setClean();
    if (absolute != m_sourcePath) {
        m_sourcePath = absolute;
        m_campaign.sourcePath = absolute;
        emit sourcePathChanged(absolute);
        afterChange(); // job.files are now checked against the new folder
    }
    return model::success();
}

// --- edits

void CampaignEditor::insertParameter(int row, const model::Parameter& parameter)
{
    row = std::clamp(row, 0, int(m_campaign.parameters.size()));
    m_undoStack->push(new ParameterRowCommand(this, ParameterRowCommand::Kind::Insert, row, parameter));
}

void CampaignEditor::addParameter(int row)
{
    model::Parameter parameter;
    int n = int(m_campaign.parameters.size()) + 1;
    do
        parameter.name = u"param%1"_s.arg(n++);
    while (m_campaign.parameterIndex(parameter.name) >= 0);
    parameter.type = model::ParameterType::Int;
    parameter.listedValues = {QVariant::fromValue(qint64(1)), QVariant::fromValue(qint64(2)),
                              QVariant::fromValue(qint64(3))};
    insertParameter(row < 0 ? int(m_campaign.parameters.size()) : row, parameter);
}

void CampaignEditor::removeParameter(int row)
{
    if (row < 0 || row >= m_campaign.parameters.size())
        return;
    m_undoStack->push(
        new ParameterRowCommand(this, ParameterRowCommand::Kind::Remove, row, m_campaign.parameters.at(row)));
}

void CampaignEditor::moveParameter(int from, int to)
{
    const int count = int(m_campaign.parameters.size());
    if (from < 0 || from >= count || to < 0 || to >= count || from == to)
        return;
    m_undoStack->push(new ParameterMoveCommand(this, from, to));
}

void CampaignEditor::setParameter(int row, const model::Parameter& parameter, const QString& what)
{
    if (row < 0 || row >= m_campaign.parameters.size())
        return;
    const model::Parameter before = m_campaign.parameters.at(row);
    if (sameDefinition(before, parameter))
        return;
    // A renamed parameter takes its placeholder in the command along, in the same undo step.
    const bool renamed = !before.name.isEmpty() && !parameter.name.isEmpty() && before.name != parameter.name;
    const QString command =
        renamed ? renamePlaceholder(m_campaign.job.command, before.name, parameter.name) : m_campaign.job.command;
    if (command == m_campaign.job.command) {
        m_undoStack->push(new ParameterEditCommand(this, row, before, parameter, what));
        return;
    }
    m_undoStack->beginMacro(u"Rename %1 to %2"_s.arg(before.name, parameter.name));
    m_undoStack->push(new ParameterEditCommand(this, row, before, parameter, what));
    setCommand(command);
    m_undoStack->endMacro();
}

template<typename Mutate>
void CampaignEditor::editSettings(const QString& key, const QString& text, Mutate mutate)
{
    model::Campaign after = m_campaign;
    mutate(after);
    if (settingsJson(after) == settingsJson(m_campaign))
        return;
    m_undoStack->push(new SettingsCommand(this, m_campaign, after, key, text));
}

void CampaignEditor::setName(const QString& name)
{
    editSettings(u"name"_s, u"Rename the campaign"_s, [&](model::Campaign& c) { c.name = name; });
}

void CampaignEditor::setMetric(const QString& metric)
{
    editSettings(u"objective.metric"_s, u"Change the metric"_s,
                 [&](model::Campaign& c) { c.objective.metric = metric; });
}

void CampaignEditor::setDirection(model::Direction direction)
{
    editSettings(u"objective.direction"_s, u"Change the direction"_s,
                 [&](model::Campaign& c) { c.objective.direction = direction; });
}

void CampaignEditor::setPattern(const QString& pattern)
{
    editSettings(u"objective.pattern"_s, u"Change the metric pattern"_s,
                 [&](model::Campaign& c) { c.objective.pattern = pattern; });
}

void CampaignEditor::setStepPattern(const QString& stepPattern)
{
    editSettings(u"objective.step_pattern"_s, u"Change the step pattern"_s,
                 [&](model::Campaign& c) { c.objective.stepPattern = stepPattern; });
}

void CampaignEditor::setStrategy(const QString& strategy)
{
    editSettings(u"search.strategy"_s, u"Change the strategy"_s,
                 [&](model::Campaign& c) { c.search.strategy = strategy; });
}

void CampaignEditor::setMaxTrials(int maxTrials)
{
    editSettings(u"search.max_trials"_s, u"Change the budget"_s,
                 [&](model::Campaign& c) { c.search.maxTrials = maxTrials; });
}

void CampaignEditor::setParallel(int parallel)
{
    editSettings(u"search.parallel"_s, u"Change parallel trials"_s,
                 [&](model::Campaign& c) { c.search.parallel = parallel; });
}

void CampaignEditor::setSeed(quint64 seed)
{
    editSettings(u"search.seed"_s, u"Change the seed"_s, [&](model::Campaign& c) { c.search.seed = seed; });
}

void CampaignEditor::setEarlyStoppingRule(model::EarlyStoppingRule rule)
{
    editSettings(u"search.early_stopping.rule"_s, u"Change the early-stopping rule"_s,
                 [&](model::Campaign& c) { c.search.earlyStopping.rule = rule; });
}

void CampaignEditor::setStartupTrials(int startupTrials)
{
    editSettings(u"search.early_stopping.startup_trials"_s, u"Change the startup trials"_s,
                 [&](model::Campaign& c) { c.search.earlyStopping.startupTrials = startupTrials; });
}

void CampaignEditor::setWarmupSteps(int warmupSteps)
{
    editSettings(u"search.early_stopping.warmup_steps"_s, u"Change the warm-up steps"_s,
                 [&](model::Campaign& c) { c.search.earlyStopping.warmupSteps = warmupSteps; });
}

void CampaignEditor::setMinSteps(int minSteps)
{
    editSettings(u"search.early_stopping.min_steps"_s, u"Change the minimum steps"_s,
                 [&](model::Campaign& c) { c.search.earlyStopping.minSteps = minSteps; });
}

void CampaignEditor::setReductionFactor(int reductionFactor)
{
    editSettings(u"search.early_stopping.reduction_factor"_s, u"Change the reduction factor"_s,
                 [&](model::Campaign& c) { c.search.earlyStopping.reductionFactor = reductionFactor; });
}

void CampaignEditor::setMaxSteps(std::optional<int> maxSteps)
{
    editSettings(u"search.early_stopping.max_steps"_s, u"Change the maximum steps"_s,
                 [&](model::Campaign& c) { c.search.earlyStopping.maxSteps = maxSteps; });
}

void CampaignEditor::setCommand(const QString& command)
{
    editSettings(u"job.command"_s, u"Change the command"_s, [&](model::Campaign& c) { c.job.command = command; });
}

void CampaignEditor::setFiles(const QStringList& files)
{
    // Adding and removing files are separate steps: an empty key never merges.
    editSettings(QString(), u"Change the job files"_s, [&](model::Campaign& c) { c.job.files = files; });
}

void CampaignEditor::setTimeLimit(const QString& timeLimit)
{
    editSettings(u"job.time_limit"_s, u"Change the time limit"_s, [&](model::Campaign& c) {
        c.job.timeLimit = timeLimit;
        c.job.timeLimitSeconds.reset(); // derived by the validator; runnableCampaign() has it
    });
}

void CampaignEditor::setCluster(const model::ClusterSettings& cluster)
{
    editSettings(QString(), u"Change where the campaign runs"_s, [&](model::Campaign& c) { c.cluster = cluster; });
}

// --- what commands apply

void CampaignEditor::applyInsert(int row, model::Parameter parameter)
{
    expandCandidates(parameter);
    m_campaign.parameters.insert(row, parameter);
    emit parameterInserted(row);
    afterChange();
}

void CampaignEditor::applyRemove(int row)
{
    m_campaign.parameters.removeAt(row);
    emit parameterRemoved(row);
    afterChange();
}

void CampaignEditor::applyMove(int from, int to)
{
    m_campaign.parameters.move(from, to);
    emit parameterMoved(from, to);
    afterChange();
}

void CampaignEditor::applyParameter(int row, model::Parameter parameter)
{
    expandCandidates(parameter);
    m_campaign.parameters[row] = parameter;
    emit parameterChanged(row);
    afterChange();
}

void CampaignEditor::applySettings(const model::Campaign& settings)
{
    m_campaign.name = settings.name;
    m_campaign.objective = settings.objective;
    m_campaign.search = settings.search;
    m_campaign.job = settings.job;
    m_campaign.cluster = settings.cluster;
    afterChange();
}

void CampaignEditor::afterChange()
{
    revalidate();
    emit changed();
}

void CampaignEditor::revalidate()
{
    const bool wasValid = m_issues.isEmpty();
    model::ParseOutcome outcome = model::parseCampaign(model::toJson(m_campaign), m_sourcePath);
    m_validated = std::move(outcome.campaign);
    const bool issuesDiffer = !sameIssues(outcome.issues, m_issues);
    m_issues = std::move(outcome.issues);
    if (issuesDiffer)
        emit issuesChanged();
    if (wasValid != m_issues.isEmpty())
        emit validityChanged(m_issues.isEmpty());
}

} // namespace sweepline::gui
