#pragma once

#include "model/campaign.h"
#include "model/result.h"
#include "remote/jobbackend.h"
#include "remote/ssh/credentialprompter.h"

#include <memory>

namespace sweepline::remote {

struct BackendOptions {
    bool acceptNewHostKey = false;
};

// The backend a campaign's cluster section asks for: this computer, or a login node over SSH.
model::Result<std::unique_ptr<JobBackend>> makeBackend(const model::Campaign& campaign,
                                                       ssh::CredentialPrompter& prompter,
                                                       const BackendOptions& options);

} // namespace sweepline::remote
