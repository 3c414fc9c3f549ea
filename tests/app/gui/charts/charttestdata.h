#pragma once

// Small campaigns and trials for the chart tests: three parameters (hidden, lr on a log range,
// solver), trial n with hidden = 8, 16 or 32 by n % 3 and the other two at their defaults, so
// trial values are easy to predict.
#include "model/campaign.h"
#include "model/trial.h"
#include "model/trialtablemodel.h"
#include "samplecampaigns.h"

#include <optional>

namespace sweepline::charttest {

using namespace Qt::StringLiterals;

using model::TrialRecord;
using model::TrialState;

inline model::Parameter parameter(const QString& name, model::ParameterType type, const QVariantList& candidates,
                                  int defaultIndex, bool log = false)
{
    model::Parameter p;
    p.name = name;
    p.type = type;
    p.candidates = candidates;
    p.listedValues = candidates;
    p.defaultIndex = defaultIndex;
    p.defaultValue = candidates.at(defaultIndex);
    if (log) {
        p.listedValues.clear();
        p.range = model::ParameterRange{candidates.first().toDouble(), candidates.last().toDouble(), std::nullopt,
                                        int(candidates.size()), true};
    }
    return p;
}

inline model::Campaign smallCampaign(model::Direction direction = model::Direction::Minimize)
{
    model::Campaign c;
    c.name = u"digits"_s;
    c.parameters = {
        parameter(u"hidden"_s, model::ParameterType::Int, {qint64(8), qint64(16), qint64(32)}, 1),
        parameter(u"lr"_s, model::ParameterType::Float, {0.0001, 0.001, 0.01}, 1, true),
        parameter(u"solver"_s, model::ParameterType::Choice, {u"sgd"_s, u"adam"_s}, 1),
    };
    c.objective.metric = u"loss"_s;
    c.objective.direction = direction;
    return c;
}

inline QDateTime at(qint64 minutes)
{
    return samples::sampleEpoch().addSecs(minutes * 60);
}

// Trial `id`: hidden 8, 16 or 32 by id % 3, lr and solver at their defaults (so trial 4, hidden 16,
// is the default configuration); submitted at minute id, started a minute later, finished ten after.
inline TrialRecord trial(qint64 id, TrialState state, std::optional<double> value = std::nullopt, int batch = 1,
                         int stage = 1)
{
    TrialRecord t;
    t.id = id;
    t.token = u"t%1"_s.arg(id);
    t.state = state;
    const QList<qint64> hidden{8, 16, 32};
    t.values = {hidden.at(int(id % 3)), 0.001, u"adam"_s};
    t.labels = {stage, QString(), batch};
    if (state != TrialState::Planned) {
        t.submittedAt = at(int(id));
        if (state != TrialState::Queued) {
            t.startedAt = at(int(id) + 1);
            if (model::isTerminal(state))
                t.finishedAt = at(int(id) + 11);
        }
    }
    t.value = value;
    if (value)
        t.intermediate = {*value + 2, *value + 1, *value};
    return t;
}

struct Fixture {
    explicit Fixture(const model::Campaign& campaign = smallCampaign()) { model.setCampaign(campaign); }
    model::TrialTableModel model;
};

} // namespace sweepline::charttest
