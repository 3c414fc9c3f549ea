#pragma once

#include <QString>
#include <QStringList>

namespace sweepline::gui {

// The host aliases an OpenSSH client config defines, for the host field's suggestions: every name
// of every "Host" line, in file order without repeats, leaving out patterns ("*", "?", "!negated").
// "Include" is followed (relative paths from userSshDirectory, "~/" from the home folder, wildcards
// in the file name), like ssh does for a user's config. A missing file gives no aliases.
// configPath empty: ~/.ssh/config. userSshDirectory empty: ~/.ssh.
QStringList sshConfigHostAliases(const QString& configPath = {}, const QString& userSshDirectory = {});

} // namespace sweepline::gui
