#include "gui/results/defaultreference.h"

#include <QCoreApplication>

#include <cmath>

using namespace Qt::StringLiterals;

namespace sweepline::gui {

namespace {

QString tr(const char* text)
{
    return QCoreApplication::translate("DefaultReference", text);
}

bool hasValue(const model::TrialRecord& trial)
{
    return trial.state == model::TrialState::Done && trial.value && std::isfinite(*trial.value);
}

} // namespace

DefaultReference DefaultReference::find(const model::Campaign& campaign, const QList<model::TrialRecord>& trials)
{
    DefaultReference reference;
    QStringList defaultTexts;
    for (const model::Parameter& parameter : campaign.parameters) {
        if (!parameter.defaultValue.isValid()) {
            reference.parametersWithoutDefault.append(parameter.name);
            continue;
        }
        reference.values.append(parameter.defaultValue);
        defaultTexts.append(model::Campaign::formatValue(parameter.defaultValue));
    }
    if (!reference.parametersWithoutDefault.isEmpty() || campaign.parameters.isEmpty()) {
        reference.values.clear();
        return reference;
    }

    reference.status = Status::NotMeasured;
    const model::TrialRecord* chosen = nullptr;
    for (const model::TrialRecord& trial : trials) {
        if (trial.values.size() != defaultTexts.size())
            continue;
        bool isDefault = true;
        for (int i = 0; i < defaultTexts.size() && isDefault; ++i) {
            // Same type: compare directly (cheap for 10,000 trials); otherwise by text form.
            const QVariant& value = trial.values.at(i);
            const QVariant& wanted = reference.values.at(i);
            isDefault = value.typeId() == wanted.typeId() ? value == wanted
                                                          : model::Campaign::formatValue(value) == defaultTexts.at(i);
        }
        if (!isDefault)
            continue;
        // Measured beats pending beats ended without a value; the lowest id within each.
        auto rank = [](const model::TrialRecord& t) { return hasValue(t) ? 0 : (model::isTerminal(t.state) ? 2 : 1); };
        if (!chosen || rank(trial) < rank(*chosen) || (rank(trial) == rank(*chosen) && trial.id < chosen->id))
            chosen = &trial;
    }
    if (!chosen)
        return reference;

    reference.trialId = chosen->id;
    reference.trialState = chosen->state;
    if (hasValue(*chosen)) {
        reference.status = Status::Measured;
        reference.value = chosen->value;
        reference.elapsedSeconds = chosen->elapsedSeconds();
    } else {
        reference.status = model::isTerminal(chosen->state) ? Status::Unmeasured : Status::Pending;
    }
    return reference;
}

QString DefaultReference::configurationText(const model::Campaign& campaign) const
{
    QStringList parts;
    for (int i = 0; i < values.size() && i < campaign.parameters.size(); ++i)
        parts.append(campaign.parameters.at(i).name + u'=' + model::Campaign::formatValue(values.at(i)));
    return parts.join(u", "_s);
}

QString DefaultReference::description(const model::Campaign& campaign) const
{
    const QString configuration = configurationText(campaign);
    switch (status) {
    case Status::NoDefault:
        if (campaign.parameters.isEmpty())
            return tr("The campaign has no parameters yet.");
        return tr("There is no default configuration to compare with: %1 %2 no default.")
            .arg(parametersWithoutDefault.join(u", "_s), parametersWithoutDefault.size() == 1 ? tr("has") : tr("have"));
    case Status::NotMeasured:
        return tr("The default configuration (%1) has not been measured.").arg(configuration);
    case Status::Pending:
        return tr("The default configuration (%1) is trial %2, %3: no value yet.")
            .arg(configuration, QString::number(trialId), model::toString(trialState));
    case Status::Unmeasured:
        return tr("The default configuration (%1) has not been measured: trial %2 %3 without a value.")
            .arg(configuration, QString::number(trialId),
                 trialState == model::TrialState::Cancelled    ? tr("was cancelled")
                     : trialState == model::TrialState::Pruned ? tr("was stopped by early stopping")
                                                               : tr("ended"));
    case Status::Measured:
        return tr("The default configuration (%1) is trial %2: %3 %4.")
            .arg(configuration, QString::number(trialId), campaign.objective.metric, QString::number(*value, 'g', 6));
    }
    return {};
}

Improvement improvementOver(double reference, double value, model::Direction direction)
{
    Improvement improvement;
    improvement.absolute = direction == model::Direction::Maximize ? value - reference : reference - value;
    if (reference != 0)
        improvement.percent = improvement.absolute / std::abs(reference) * 100.0;
    return improvement;
}

} // namespace sweepline::gui
