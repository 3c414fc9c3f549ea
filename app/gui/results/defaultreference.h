#pragma once

#include "model/campaign.h"
#include "model/trial.h"

#include <QList>
#include <QString>
#include <QStringList>
#include <QVariantList>

#include <optional>

namespace sweepline::gui {

// The default configuration (every parameter at its default) and what became of it: the reference
// that results are measured against, as in "0.22 m better than the initial parameters".
struct DefaultReference {
    enum class Status {
        NoDefault,   // some parameter has no default: there is no default configuration
        NotMeasured, // no trial has run it
        Pending,     // a trial runs it, no value yet
        Unmeasured,  // every trial that ran it failed or was cancelled
        Measured,
    };
    Status status = Status::NoDefault;
    QStringList parametersWithoutDefault; // NoDefault
    QVariantList values;                  // the default configuration, when there is one
    qint64 trialId = 0;                   // Pending, Unmeasured, Measured: the trial in question
    model::TrialState trialState = model::TrialState::Planned;
    std::optional<double> value;          // Measured
    std::optional<double> elapsedSeconds; // Measured, when known

    // Trials match by their values' text form, as the store and the definition agree on it. Of
    // several trials of the default, the first finished with a value is the reference.
    static DefaultReference find(const model::Campaign& campaign, const QList<model::TrialRecord>& trials);

    bool isMeasured() const { return status == Status::Measured; }
    QString configurationText(const model::Campaign& campaign) const; // "hidden=32, solver=adam"
    // One plain sentence for the panel, e.g. "The default configuration (hidden=32, …) has not
    // been measured."
    QString description(const model::Campaign& campaign) const;

    bool operator==(const DefaultReference&) const = default;
};

// How much better `value` is than `reference` for the campaign's direction: positive when better.
// The percentage is relative to |reference| and absent when the reference is zero.
struct Improvement {
    double absolute = 0;
    std::optional<double> percent;
};
Improvement improvementOver(double reference, double value, model::Direction direction);

} // namespace sweepline::gui
