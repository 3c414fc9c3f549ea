#pragma once

#include <QString>

#include <optional>

namespace sweepline::cli {

struct CancelOptions {
    QString campaignPath;
    QString storeDirectory;
    std::optional<qint64> trial; // empty: every trial not finished yet
    bool acceptNewHostKey = false;
};

// Cancels trials of a campaign, whether or not a run is watching it; returns the exit code.
int cancelTrials(const CancelOptions& options);

} // namespace sweepline::cli
