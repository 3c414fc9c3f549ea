#pragma once

#include "model/campaign.h"
#include "tuning/searchspace.h"

#include <QHash>
#include <QList>
#include <QVariantList>

#include <optional>

namespace sweepline::model {

// Translates between a strategy's candidate indices and the values a trial records.
class PointCodec {
public:
    explicit PointCodec(const Campaign& campaign);

    QVariantList valuesAt(const tuning::Point& point) const;
    // nullopt when a value is not a candidate of the current definition (it was changed since).
    std::optional<tuning::Point> pointOf(const QVariantList& values) const;

private:
    QList<QVariantList> m_candidates;
    // Values are matched by their text form, on which the store and the definition agree exactly
    // whatever numeric type each side chose.
    QList<QHash<QString, std::size_t>> m_indexByText;
};

} // namespace sweepline::model
