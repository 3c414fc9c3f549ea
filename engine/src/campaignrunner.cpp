#include "engine/campaignrunner.h"

#include "engine/jobscript.h"
#include "engine/runoutcome.h"
#include "model/metricextractor.h"
#include "model/trialstore.h"

#include <QDir>
#include <QFileInfo>
#include <QTimer>

using namespace Qt::StringLiterals;

namespace sweepline::engine {

using model::TrialState;

namespace {

tuning::Labels toLabels(const model::TrialLabels& l)
{
    return {l.stage, l.direction.toStdString(), l.batch};
}

model::TrialLabels fromLabels(const tuning::Labels& l)
{
    return {l.stage, QString::fromStdString(l.direction), l.batch};
}

tuning::EarlyStoppingOptions toPrunerOptions(const model::EarlyStopping& e)
{
    tuning::EarlyStoppingOptions o;
    o.rule = model::ruleKeyword(e.rule).toStdString();
    o.startupTrials = e.startupTrials;
    o.warmupSteps = e.warmupSteps;
    o.minSteps = e.minSteps;
    o.reductionFactor = e.reductionFactor;
    o.maxSteps = e.maxSteps;
    return o;
}

std::optional<tuning::Pruner::End> prunerEnd(TrialState state)
{
    switch (state) {
    case TrialState::Done:
        return tuning::Pruner::End::Completed;
    case TrialState::Failed:
    case TrialState::Cancelled:
        return tuning::Pruner::End::Failed;
    case TrialState::Pruned:
        return tuning::Pruner::End::Pruned;
    case TrialState::Planned:
    case TrialState::Submitting:
    case TrialState::Queued:
    case TrialState::Running:
        break;
    }
    return std::nullopt;
}

} // namespace

CampaignRunner::CampaignRunner(model::Campaign campaign, model::TrialStore& store, JobBackend& backend,
                               QString stateDirectory, QObject* parent)
    : QObject(parent),
      m_campaign(std::move(campaign)),
      m_store(store),
      m_backend(backend),
      m_stateDirectory(std::move(stateDirectory)),
      m_codec(m_campaign)
{
    connect(&m_backend, &JobBackend::submitted, this, &CampaignRunner::onSubmitted);
    connect(&m_backend, &JobBackend::notSubmitted, this, &CampaignRunner::onNotSubmitted);
    connect(&m_backend, &JobBackend::submitFailed, this, &CampaignRunner::onSubmitFailed);
    connect(&m_backend, &JobBackend::started, this, &CampaignRunner::onStarted);
    connect(&m_backend, &JobBackend::finished, this, &CampaignRunner::onFinished);
    connect(&m_backend, &JobBackend::outputArrived, this, &CampaignRunner::onOutputArrived);
    connect(&m_backend, &JobBackend::fatalError, this, &CampaignRunner::fail);
}

CampaignRunner::~CampaignRunner() = default;

model::Status CampaignRunner::start()
{
    using model::Status;
    m_strategy = tuning::makeStrategy(m_campaign.search.strategy.toStdString(), m_campaign.searchSpace(),
                                      {m_campaign.search.seed});
    if (!m_strategy)
        return Status::failure(u"unknown strategy \"%1\""_s.arg(m_campaign.search.strategy));
    auto command = model::CommandTemplate::parse(m_campaign.job.command);
    if (!command)
        return Status::failure(u"job.command: "_s + command.error());
    m_command = std::move(command).value();
    if (auto extractor = model::MetricExtractor::create(m_campaign.objective.metric, m_campaign.objective.pattern);
        !extractor)
        return Status::failure(u"objective.pattern: "_s + extractor.error());

    auto trials = m_store.trials();
    if (!trials)
        return Status::failure(trials.error());
    std::vector<tuning::HistoryEntry> history;
    QList<model::TrialRecord> toTrack;
    for (const model::TrialRecord& t : trials.value()) {
        ++m_trialCount;
        const auto point = m_codec.pointOf(t.values);
        if (point) {
            // Trials outside the current space (an accepted change of definition) stay in the
            // store and the exports, but the strategy cannot place them.
            std::optional<tuning::Outcome> outcome;
            if (t.state == TrialState::Done && t.value)
                outcome = tuning::Outcome::success(minimised(*t.value));
            else if (t.state == TrialState::Pruned && t.pruneAt)
                outcome = tuning::Outcome::prunedAt(t.pruneAt->step, minimised(t.pruneAt->value));
            else if (model::isTerminal(t.state))
                outcome = tuning::Outcome::failure();
            history.push_back({{*point, toLabels(t.labels)}, outcome});
            m_points.insert(t.id, *point);
        }
        if (model::isTerminal(t.state))
            continue;
        m_trials.insert(t.id, t);
        if (t.state == TrialState::Planned)
            m_planned.append(t.id);
        else
            toTrack.append(t);
    }
    m_strategy->restore(history);
    if (auto pruning = startEarlyStopping(trials.value()); !pruning)
        return pruning;
    m_submitting = m_submissionsEnabled;

    for (const model::TrialRecord& t : toTrack)
        m_active.insert(t.id);
    for (const model::TrialRecord& t : toTrack) {
        follow(t.id, t);
        m_backend.track({t.id, t.token, runDirectory(t.id), t.jobId, m_campaign.job.timeLimitSeconds,
                         t.state == TrialState::Running ? t.startedAt : QDateTime(), m_store.storeId(), t.attempt});
        if (m_finished)
            return model::success();
        // The stop was committed but the run ended before it knew the job's end: stop it again.
        if (t.pruneAt && m_active.contains(t.id) && !m_cancelRequested.contains(t.id))
            m_backend.cancel(t.id);
    }
    // Slots are filled from the event loop, so a caller can connect to our signals first.
    QTimer::singleShot(0, this, &CampaignRunner::fillSlots);
    return model::success();
}

void CampaignRunner::fillSlots()
{
    if (m_finished)
        return;
    while (m_submitting && m_active.size() < m_campaign.search.parallel) {
        if (!m_planned.isEmpty()) {
            submitPlanned(m_planned.takeFirst());
            if (m_finished)
                return;
            continue;
        }
        const int budgetLeft = m_campaign.search.maxTrials - m_trialCount;
        const int freeSlots = m_campaign.search.parallel - int(m_active.size());
        if (budgetLeft <= 0 || !planMore(std::min(budgetLeft, freeSlots)))
            break;
    }
    maybeFinish();
}

bool CampaignRunner::planMore(int count)
{
    const auto proposals = m_strategy->ask(std::size_t(count));
    m_strategyIdle = proposals.empty();
    for (const tuning::Proposal& p : proposals) {
        auto added = m_store.addTrial(m_codec.valuesAt(p.point), fromLabels(p.labels));
        if (!added) {
            fail(added.error());
            return false;
        }
        ++m_trialCount;
        m_trials.insert(added->id, added.value());
        m_points.insert(added->id, p.point);
        m_planned.append(added->id);
        emit trialChanged(added.value());
    }
    return !proposals.empty();
}

void CampaignRunner::submitPlanned(qint64 trialId)
{
    if (QFileInfo::exists(QDir(runDirectory(trialId)).filePath(QLatin1String(kCancelMarker)))) {
        m_planned.prepend(trialId);
        cancelTrial(trialId); // cancelled from another process before it was ever submitted
        return;
    }
    if (!commit(m_store.markSubmitting(trialId)))
        return;
    m_active.insert(trialId);
    publish(trialId);
    const model::TrialRecord& t = m_trials[trialId];

    QHash<QString, QString> values;
    for (qsizetype i = 0; i < m_campaign.parameters.size() && i < t.values.size(); ++i)
        values.insert(m_campaign.parameters.at(i).name, model::Campaign::formatValue(t.values.at(i)));

    JobScriptInput script;
    script.campaign = m_campaign.name;
    script.trialId = trialId;
    script.token = t.token;
    script.command = m_command->render(values);
    script.setup = m_campaign.cluster.setup;
    script.timeLimitSeconds = m_campaign.job.timeLimitSeconds;

    JobRequest request;
    request.trialId = trialId;
    request.token = t.token;
    request.runDirectory = runDirectory(trialId);
    request.script = script;
    request.inputFiles = inputFiles();
    request.timeLimitSeconds = m_campaign.job.timeLimitSeconds;
    request.storeId = m_store.storeId();
    request.attempt = t.attempt;
    follow(trialId, {});
    m_backend.submit(request);
}

// Early stopping starts from what the store recorded: the pruner sees every trial's curve so far,
// and a trial whose stop was requested stays stopped.
model::Status CampaignRunner::startEarlyStopping(const QList<model::TrialRecord>& trials)
{
    const model::EarlyStopping& settings = m_campaign.search.earlyStopping;
    if (!settings.enabled())
        return model::success();
    const tuning::EarlyStoppingOptions options = toPrunerOptions(settings);
    if (const std::string problem = tuning::earlyStoppingProblem(options); !problem.empty())
        return model::Status::failure(model::ErrorCode::InvalidInput,
                                      u"search.early_stopping: "_s + QString::fromStdString(problem));
    if (auto reader = model::CurveReader::create(m_campaign.objective); !reader)
        return model::Status::failure(model::ErrorCode::InvalidInput, u"objective.step_pattern: "_s + reader.error());
    m_pruner = tuning::makePruner(options);
    if (!m_pruner)
        return model::Status::failure(
            model::ErrorCode::InvalidInput,
            u"search.early_stopping.rule: \"%1\" is not a rule"_s.arg(model::ruleKeyword(settings.rule)));
    std::vector<tuning::Pruner::Recorded> recorded;
    recorded.reserve(std::size_t(trials.size()));
    for (const model::TrialRecord& t : trials) {
        tuning::Pruner::Recorded r;
        r.trial = t.id;
        for (const model::CurvePoint& p : t.curve())
            r.curve.emplace_back(p.step, minimised(p.value));
        r.end = prunerEnd(t.state);
        recorded.push_back(std::move(r));
    }
    m_pruner->restore(recorded);
    return model::success();
}

// Reads the job's stdout as it grows, from where the recorded curve ends (a fresh job: from 0).
void CampaignRunner::follow(qint64 trialId, const model::TrialRecord& recorded)
{
    if (!m_pruner)
        return;
    auto reader = model::CurveReader::create(m_campaign.objective); // checked in startEarlyStopping
    if (!reader)
        return;
    if (recorded.curveOffset > 0)
        reader->resumeFrom(recorded.intermediate, recorded.steps, recorded.curveOffset);
    m_curves.erase(trialId);
    m_curves.emplace(trialId, FollowedCurve{std::move(reader).value(), recorded.curveOffset, {}});
    m_backend.followOutput(trialId, recorded.curveOffset);
}

void CampaignRunner::onOutputArrived(qint64 trialId, qint64 offset, const QByteArray& bytes)
{
    const auto it = m_curves.find(trialId);
    if (it == m_curves.end() || !m_active.contains(trialId) || m_finished)
        return;
    FollowedCurve& curve = it->second;
    const qint64 end = offset + bytes.size();
    if (offset > curve.nextByte || end <= curve.nextByte)
        return; // a gap or a repeat: the curve read so far stays as it is, the end reads it whole
    curve.unjudged += curve.reader.feed(QByteArrayView(bytes).sliced(curve.nextByte - offset));
    curve.nextByte = end;
    if (curve.unjudged.isEmpty())
        return; // lines without a value: nothing for the store, the next value's commit covers them
    const auto t = m_trials.constFind(trialId);
    if (t == m_trials.constEnd() || (t->state != TrialState::Queued && t->state != TrialState::Running))
        return; // a curve belongs to a job the store knows of; it is committed with the next bytes
    // One commit per arrival: the store holds every value the run printed so far, for a resumed
    // run and for the charts.
    if (!commit(m_store.recordCurve(trialId, curve.reader.values(), curve.reader.steps(), curve.reader.offset())))
        return;
    const QList<model::CurvePoint> points = std::exchange(curve.unjudged, {});
    publish(trialId);
    if (!m_finished)
        judgeCurve(trialId, points);
}

void CampaignRunner::judgeCurve(qint64 trialId, const QList<model::CurvePoint>& points)
{
    const auto t = m_trials.constFind(trialId);
    // A stop already requested is not asked for twice; a user's cancel is not turned into a prune.
    if (!m_pruner || t == m_trials.constEnd() || t->pruneAt || m_cancelRequested.contains(trialId))
        return;
    for (const model::CurvePoint& point : points) {
        if (!m_pruner->report(trialId, point.step, minimised(point.value)))
            continue;
        // Committed before the cancel goes out: a run killed in between cancels it again.
        if (!commit(m_store.markPruneRequested(trialId, point)))
            return;
        publish(trialId);
        if (!m_finished)
            m_backend.cancel(trialId);
        return;
    }
}

// A cancel by the user (this run's cancelTrial, or another process's marker), not by the pruner.
bool CampaignRunner::userCancelled(qint64 trialId, const JobEnd& end)
{
    if (m_cancelRequested.remove(trialId))
        return true;
    const auto t = m_trials.constFind(trialId);
    const bool pruneRequested = t != m_trials.constEnd() && t->pruneAt;
    if (!pruneRequested)
        return end.cancelled;
    // The pruner's own cancel also ends the job "cancelled": only the marker tells a user's apart.
    return QFileInfo::exists(QDir(runDirectory(trialId)).filePath(QLatin1String(kCancelMarker)));
}

void CampaignRunner::onSubmitted(qint64 trialId, const QString& jobId, const QDateTime& at)
{
    if (!m_active.contains(trialId) || m_trials.value(trialId).state != TrialState::Submitting)
        return;
    if (commit(m_store.markQueued(trialId, jobId, at)))
        publish(trialId);
}

void CampaignRunner::onStarted(qint64 trialId, const QDateTime& at)
{
    if (!m_active.contains(trialId) || m_trials.value(trialId).state == TrialState::Running)
        return;
    if (commit(m_store.markRunning(trialId, at)))
        publish(trialId);
}

void CampaignRunner::onNotSubmitted(qint64 trialId, const QString& reason)
{
    if (!m_active.remove(trialId))
        return;
    m_curves.erase(trialId);
    if (!commit(m_store.markResubmittable(trialId, reason)))
        return;
    publish(trialId);
    m_planned.prepend(trialId);
    fillSlots();
}

void CampaignRunner::onSubmitFailed(qint64 trialId, const QString& reason)
{
    if (!m_active.remove(trialId))
        return;
    m_curves.erase(trialId);
    if (!commit(m_store.markFailed(trialId, u"submission failed: "_s + reason, {}, QDateTime::currentDateTimeUtc())))
        return;
    endForPruner(trialId, tuning::Pruner::End::Failed);
    tellStrategy(trialId, std::nullopt);
    publish(trialId);
    fillSlots();
}

void CampaignRunner::onFinished(qint64 trialId, const JobEnd& end)
{
    if (!m_active.remove(trialId))
        return;
    m_curves.erase(trialId);
    const QString stderrPath = QDir(runDirectory(trialId)).filePath(QLatin1String(runfiles::stderrFile));
    // Plain values, not the optional: GCC takes a copied optional's point for uninitialised.
    const auto recorded = m_trials.constFind(trialId);
    const bool pruneRequested = recorded != m_trials.constEnd() && recorded->pruneAt;
    const model::CurvePoint stoppedAt = pruneRequested ? *recorded->pruneAt : model::CurvePoint{};
    const bool cancelledByUser = userCancelled(trialId, end);
    const bool pruning = pruneRequested && !cancelledByUser;
    // A stopped job that finished before the stop reached it is judged as if never stopped: its
    // exit code and value decide, not the cancel that came too late.
    JobEnd judged = end;
    if (pruning) {
        judged.reason.clear();
        judged.cancelled = false;
    }
    const RunOutcome outcome = judgeRun(judged, m_campaign.objective, stderrPath);
    QDateTime at = end.finishedAt.isValid() ? end.finishedAt : QDateTime::currentDateTimeUtc();
    if (!recordScriptStart(trialId, end.startedAt))
        return;
    if (const auto t = m_trials.constFind(trialId); t != m_trials.constEnd() && t->startedAt.isValid())
        at = std::max(at, t->startedAt); // the same clock question as in recordScriptStart
    const bool finishedFirst = judged.exitCode == 0 && outcome.state == TrialState::Done;
    model::Status stored = model::success();
    if (cancelledByUser)
        stored = m_store.markCancelled(trialId, end.reason.isEmpty() ? u"cancelled"_s : end.reason, at);
    else if (pruning && !finishedFirst)
        stored = m_store.markPruned(trialId, outcome.intermediate, outcome.steps, at, outcome.note);
    else if (outcome.state == TrialState::Done)
        stored = m_store.markDone(trialId, *outcome.value, outcome.intermediate, at, outcome.note, outcome.steps);
    else
        stored = m_store.markFailed(trialId, outcome.error, outcome.intermediate, at, outcome.note, outcome.steps);
    if (!commit(stored))
        return;
    if (pruning && !finishedFirst) {
        // Only what it reached where it was stopped: never a value it did not reach.
        tellStrategy(trialId, tuning::Outcome::prunedAt(stoppedAt.step, minimised(stoppedAt.value)));
        endForPruner(trialId, tuning::Pruner::End::Pruned);
    } else {
        const bool done = !cancelledByUser && outcome.state == TrialState::Done;
        tellStrategy(trialId, done ? outcome.value : std::nullopt);
        endForPruner(trialId, done ? tuning::Pruner::End::Completed : tuning::Pruner::End::Failed);
    }
    publish(trialId);
    fillSlots();
}

// A job that started and ended between two polls was never seen running: its script's clock says
// when it started. The cluster's clock may run ahead of ours, so a start before the recorded
// submission counts as the submission itself (a queue time below zero means nothing).
bool CampaignRunner::recordScriptStart(qint64 trialId, QDateTime startedAt)
{
    const auto it = m_trials.find(trialId);
    if (!startedAt.isValid() || it == m_trials.end())
        return true;
    model::TrialRecord& t = it.value();
    if (t.submittedAt.isValid() && startedAt < t.submittedAt)
        startedAt = t.submittedAt;
    if (t.state == TrialState::Running && t.startedAt == startedAt)
        return true;
    const bool stored = commit(t.state == TrialState::Running ? m_store.correctStartedAt(trialId, startedAt)
                                                              : m_store.markRunning(trialId, startedAt));
    if (stored) {
        t.state = TrialState::Running;
        t.startedAt = startedAt;
    }
    return stored;
}

void CampaignRunner::tellStrategy(qint64 trialId, const std::optional<double>& value)
{
    tellStrategy(trialId, value ? tuning::Outcome::success(minimised(*value)) : tuning::Outcome::failure());
}

void CampaignRunner::tellStrategy(qint64 trialId, const tuning::Outcome& outcome)
{
    const auto it = m_points.constFind(trialId);
    if (it == m_points.constEnd())
        return;
    m_strategy->tell(*it, outcome);
    m_strategyIdle = false; // a result may give the strategy something new to propose
}

void CampaignRunner::endForPruner(qint64 trialId, tuning::Pruner::End how)
{
    if (m_pruner)
        m_pruner->end(trialId, how);
}

double CampaignRunner::minimised(double value) const
{
    return m_campaign.objective.direction == model::Direction::Maximize ? -value : value;
}

void CampaignRunner::stopSubmitting()
{
    m_submitting = false;
    maybeFinish();
}

void CampaignRunner::pauseSubmitting()
{
    m_paused = true;
    m_submitting = false;
}

void CampaignRunner::resumeSubmitting()
{
    if (m_finished)
        return;
    m_paused = false;
    m_submitting = true;
    fillSlots();
}

void CampaignRunner::detach()
{
    if (m_finished)
        return;
    m_submitting = false;
    m_backend.detachAll();
    m_finished = true;
    emit finished({true, {}, false, int(m_active.size())});
}

void CampaignRunner::cancelTrial(qint64 trialId)
{
    if (m_active.contains(trialId)) {
        m_cancelRequested.insert(trialId);
        m_backend.cancel(trialId);
        return;
    }
    if (m_planned.removeOne(trialId)) {
        if (commit(m_store.markCancelled(trialId, u"cancelled before submission"_s, QDateTime::currentDateTimeUtc()))) {
            endForPruner(trialId, tuning::Pruner::End::Failed);
            tellStrategy(trialId, std::nullopt);
            publish(trialId);
        }
    }
}

void CampaignRunner::cancelAll()
{
    m_submitting = false;
    const auto planned = m_planned;
    for (qint64 id : planned)
        cancelTrial(id);
    const auto active = m_active;
    for (qint64 id : active)
        cancelTrial(id);
    maybeFinish();
}

void CampaignRunner::maybeFinish()
{
    if (m_finished || !m_active.isEmpty())
        return;
    const bool budgetSpent = m_trialCount >= m_campaign.search.maxTrials;
    const bool searchDone = m_planned.isEmpty() && (m_strategy->exhausted() || m_strategyIdle);
    // Paused (or only monitoring) waits for a resume, unless a resume could submit nothing more.
    if (m_paused && !(m_planned.isEmpty() && (budgetSpent || m_strategy->exhausted())))
        return;
    if (m_submitting && !budgetSpent && !searchDone)
        return;
    m_finished = true;
    emit finished({true, {}, m_planned.isEmpty() && (budgetSpent || searchDone), 0});
}

void CampaignRunner::fail(const QString& error)
{
    if (m_finished)
        return;
    // The store cannot take more: stop here and leave the jobs to the next run.
    m_submitting = false;
    m_backend.detachAll();
    m_finished = true;
    emit finished({false, error, false, int(m_active.size())});
}

bool CampaignRunner::commit(const model::Status& status)
{
    if (!status)
        fail(status.error());
    return status.ok();
}

void CampaignRunner::publish(qint64 trialId)
{
    auto record = m_store.trial(trialId);
    if (!record) {
        fail(record.error());
        return;
    }
    if (model::isTerminal(record->state))
        m_trials.remove(trialId);
    else
        m_trials.insert(trialId, record.value());
    emit trialChanged(record.value());
}

QString CampaignRunner::runDirectory(qint64 trialId) const
{
    return localRunDirectory(m_stateDirectory, trialId);
}

QStringList CampaignRunner::inputFiles() const
{
    const QDir base = QFileInfo(m_campaign.sourcePath).absoluteDir();
    QStringList files;
    for (const QString& f : m_campaign.job.files)
        files.append(base.absoluteFilePath(f));
    return files;
}

} // namespace sweepline::engine
