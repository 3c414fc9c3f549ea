#pragma once

// A realistic campaign for panel tests and screenshots: the digits-mlp example (4 parameters) with
// 40 trials in every state, as a campaign looks half-way through. Deterministic.

#include "model/campaign.h"
#include "model/trial.h"

#include <QDateTime>
#include <QRandomGenerator>
#include <QTest>

#include <cmath>

namespace sweepline::testing {

using namespace Qt::StringLiterals;

inline model::Campaign digitsCampaign()
{
    const auto outcome = model::loadCampaignFile(
        (QString::fromUtf8(SWEEPLINE_SOURCE_DIR) + u"/resources/examples/digits-mlp/digits-mlp.json"_s));
    if (!outcome.campaign)
        qFatal("digits-mlp.json does not parse");
    return *outcome.campaign;
}

// Trial 1 is the default configuration, and no other; 1..28 finished (3 failed, 1 cancelled, 2 pruned by
// early stopping at step 4, each with one more value printed before the cancel reached it), 29..34
// running (33 with its stop asked for at its last step), 35..37 queued, 38 submitting, 39..40
// planned. Times end around `now`.
inline QList<model::TrialRecord> sampleTrials(const model::Campaign& campaign, const QDateTime& now)
{
    using model::TrialState;
    QRandomGenerator random(7);
    QList<model::TrialRecord> trials;
    const QDateTime start = now.addSecs(qint64{-40} * 60);
    for (qint64 id = 1; id <= 40; ++id) {
        model::TrialRecord trial;
        trial.id = id;
        trial.token = u"sw%1-%2"_s.arg(0x5eed, 4, 16).arg(id);
        for (const model::Parameter& parameter : campaign.parameters) {
            trial.values.append(id == 1 ? parameter.defaultValue
                                        : parameter.candidates.at(random.bounded(int(parameter.candidates.size()))));
        }
        bool isDefault = id != 1;
        for (int i = 0; i < campaign.parameters.size() && isDefault; ++i)
            isDefault = trial.values.at(i) == campaign.parameters.at(i).defaultValue;
        if (isDefault) // only trial 1 runs the default configuration
            trial.values[3] = u"sgd"_s;
        trial.labels = {int((id - 1) / 10), id % 2 ? u"hidden+"_s : u"lr-"_s, int((id - 1) / 4)};
        trial.createdAt = start.addSecs(id * 50);

        trial.state = id <= 28 ? TrialState::Done
            : id <= 34         ? TrialState::Running
            : id <= 37         ? TrialState::Queued
            : id == 38         ? TrialState::Submitting
                               : TrialState::Planned;
        if (id == 7 || id == 19 || id == 23)
            trial.state = TrialState::Failed;
        if (id == 12)
            trial.state = TrialState::Cancelled;
        if (id == 15 || id == 21)
            trial.state = TrialState::Pruned;

        if (trial.state != TrialState::Planned) {
            trial.attempt = 1;
            trial.submittedAt = trial.createdAt.addSecs(2);
        }
        if (trial.state != TrialState::Planned && trial.state != TrialState::Submitting)
            trial.jobId = QString::number(48213 + id);
        const bool ran = trial.state == TrialState::Done || trial.state == TrialState::Failed
            || trial.state == TrialState::Running || trial.state == TrialState::Pruned;
        if (ran)
            trial.startedAt = trial.submittedAt.addSecs(5 + random.bounded(90));
        if (model::isTerminal(trial.state))
            trial.finishedAt = (ran ? trial.startedAt : trial.submittedAt).addMSecs(40000 + random.bounded(260000));

        // A plausible loss: best near lr=0.01, adam, many hidden units.
        const double lr = trial.values.at(1).toDouble();
        const double hidden = trial.values.at(0).toDouble();
        const bool sgd = trial.values.at(3).toString() == u"sgd"_s;
        const double loss = 0.06 + 0.09 * std::abs(std::log10(lr) + 2.0) + (sgd ? 0.12 : 0.0) + 1.2 / hidden
            + 0.01 * random.generateDouble();
        const bool pruned = trial.state == TrialState::Pruned;
        const int epochs = trial.state == TrialState::Running ? 4 + int(id % 5) : pruned ? 5 : 12;
        if (ran) {
            // The pruned ones were losing: a higher floor, a slower descent.
            for (int epoch = 1; epoch <= epochs; ++epoch)
                trial.intermediate.append(pruned ? loss + 0.35 + 1.8 * std::exp(-0.25 * epoch)
                                                 : loss + 1.8 * std::exp(-0.45 * epoch));
        }
        if (pruned)
            trial.pruneAt = model::CurvePoint{4, trial.intermediate.at(3)};
        if (id == 33)
            trial.pruneAt = model::CurvePoint{epochs, trial.intermediate.last()};
        if (trial.state == TrialState::Done)
            trial.value = trial.intermediate.last();
        if (trial.state == TrialState::Failed) {
            trial.error = id == 7 ? u"exit code 137: killed (out of memory)\nslurmstepd: error: Detected "
                                    "1 oom_kill event in StepId=48220.batch"_s
                                  : u"no value of loss in stdout (exit code 1)"_s;
        }
        if (trial.state == TrialState::Cancelled)
            trial.error = u"cancelled by the user"_s;
        trials.append(trial);
    }
    return trials;
}

} // namespace sweepline::testing
