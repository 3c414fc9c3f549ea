#pragma once

#include "model/campaign.h"
#include "model/trialstore.h"

#include <QString>

#include <memory>
#include <optional>

namespace sweepline::cli {

// Loads and validates a campaign file; every problem goes to stderr as "<file>: <path>: <message>".
std::optional<model::Campaign> loadCampaign(const QString& path);

// --store when given, else the folder beside the campaign file.
QString stateDirectoryFor(const QString& campaignPath, const QString& storeOption);

// Opens the store of a campaign as it is, read-only (it works on a read-only folder and writes
// nothing there), and the campaign definition it records.
struct OpenedStore {
    std::unique_ptr<model::TrialStore> store;
    model::Campaign campaign;
};
std::optional<OpenedStore> openStoreForReading(const QString& stateDirectory);

// The exit code of a command that failed with this error.
int exitCodeFor(model::ErrorCode code);

QString describeValues(const model::Campaign& campaign, const QVariantList& values);
QString formatMetric(double value);

} // namespace sweepline::cli
