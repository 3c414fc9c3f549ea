#pragma once

#include <QString>

namespace sweepline::cli {

struct RunOptions {
    QString campaignPath;
    QString storeDirectory; // empty: beside the campaign file
    bool acceptChangedDefinition = false;
    bool acceptNewHostKey = false;
};

// Runs or resumes a campaign to completion on this computer; returns the exit code.
int runCampaign(const RunOptions& options);

} // namespace sweepline::cli
