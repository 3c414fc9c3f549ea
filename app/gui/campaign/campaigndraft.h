#pragma once

#include "model/campaign.h"

#include <QByteArray>

#include <optional>

namespace sweepline::gui {

// Reads a campaign document the validator refuses, as far as it goes, so that the user can fix it in
// the form instead of in a text editor. Everything of the expected JSON type is kept as written, even
// when invalid (a parallel of 0, a default that is no candidate): the validator then names it again.
// Values of another JSON type and unknown keys cannot be held by a Campaign and are left out; the
// file's own issues name them. nullopt when the text is not a JSON object at all.
std::optional<model::Campaign> readCampaignDraft(const QByteArray& json);

} // namespace sweepline::gui
