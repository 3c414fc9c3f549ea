#pragma once

#include "engine/backendfactory.h"
#include "remote/ssh/credentialprompter.h"

namespace sweepline::remote {

// The engine's maker of cluster backends: the campaign's scheduler adapter, over an SSH session
// to its login node. The prompter must outlive every backend made.
engine::ClusterBackendMaker clusterBackendMaker(ssh::CredentialPrompter& prompter);

} // namespace sweepline::remote
