#include "cli/campaignloader.h"

#include "cli/console.h"

#include <QFileInfo>

using namespace Qt::StringLiterals;

namespace sweepline::cli {

std::optional<model::Campaign> loadCampaign(const QString& path)
{
    model::ParseOutcome parsed = model::loadCampaignFile(path);
    if (parsed.campaign)
        return std::move(parsed.campaign);
    for (const model::ValidationIssue& issue : parsed.issues)
        printErr(path + u": "_s + issue.toString());
    return std::nullopt;
}

QString stateDirectoryFor(const QString& campaignPath, const QString& storeOption)
{
    if (!storeOption.isEmpty())
        return QFileInfo(storeOption).absoluteFilePath();
    return model::defaultStateDirectory(QFileInfo(campaignPath).absoluteFilePath());
}

std::optional<OpenedStore> openStoreForReading(const QString& stateDirectory)
{
    auto store = model::TrialStore::openExisting(stateDirectory, model::TrialStore::Access::ReadOnly);
    if (!store) {
        printErr(store.error());
        return std::nullopt;
    }
    auto campaign = store.value()->recordedCampaign();
    if (!campaign) {
        printErr(campaign.error());
        return std::nullopt;
    }
    return OpenedStore{std::move(store).value(), std::move(campaign).value()};
}

int exitCodeFor(model::ErrorCode code)
{
    // What the user must change (the campaign, the store choice) versus what went wrong at run time.
    switch (code) {
    case model::ErrorCode::StoreLocked:
    case model::ErrorCode::Io:
    case model::ErrorCode::Network:
    case model::ErrorCode::Timeout:
        return ExitRunFailure;
    default:
        return ExitInvalidInput;
    }
}

QString describeValues(const model::Campaign& campaign, const QVariantList& values)
{
    QStringList parts;
    for (qsizetype i = 0; i < campaign.parameters.size() && i < values.size(); ++i)
        parts.append(campaign.parameters.at(i).name + u'=' + model::Campaign::formatValue(values.at(i)));
    return parts.join(u' ');
}

QString formatMetric(double value)
{
    return QString::number(value, 'g', 6);
}

} // namespace sweepline::cli
