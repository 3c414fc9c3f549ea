#include "model/pointcodec.h"

namespace sweepline::model {

PointCodec::PointCodec(const Campaign& campaign)
{
    for (const Parameter& p : campaign.parameters) {
        m_candidates.append(p.candidates);
        QHash<QString, std::size_t> index;
        for (qsizetype c = 0; c < p.candidates.size(); ++c)
            index.insert(Campaign::formatValue(p.candidates.at(c)), std::size_t(c));
        m_indexByText.append(index);
    }
}

QVariantList PointCodec::valuesAt(const tuning::Point& point) const
{
    QVariantList values;
    values.reserve(qsizetype(point.size()));
    for (std::size_t i = 0; i < point.size(); ++i)
        values.append(m_candidates.at(qsizetype(i)).at(qsizetype(point[i])));
    return values;
}

std::optional<tuning::Point> PointCodec::pointOf(const QVariantList& values) const
{
    if (values.size() != m_candidates.size())
        return std::nullopt;
    tuning::Point point;
    point.reserve(std::size_t(values.size()));
    for (qsizetype i = 0; i < values.size(); ++i) {
        const auto it = m_indexByText.at(i).constFind(Campaign::formatValue(values.at(i)));
        if (it == m_indexByText.at(i).constEnd())
            return std::nullopt;
        point.push_back(*it);
    }
    return point;
}

} // namespace sweepline::model
