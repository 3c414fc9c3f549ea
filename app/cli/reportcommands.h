#pragma once

#include <QString>

namespace sweepline::cli {

int validateCampaign(const QString& campaignPath);
int showStatus(const QString& campaignPath, const QString& storeDirectory);
int exportTrials(const QString& campaignPath, const QString& storeDirectory, const QString& csvPath,
                 const QString& jsonPath);

} // namespace sweepline::cli
