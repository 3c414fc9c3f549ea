#pragma once

#include "remote/scheduler.h"

#include <QString>
#include <QStringList>

namespace sweepline::remote {

// One command line that any login shell sshd may hand it to (bash, sh, dash, zsh, csh, tcsh) turns
// back into exactly argv. Every element that is not plainly safe is single-quoted; a quote inside is
// written '\'' and a '!' as '\!' outside the quotes, because csh and tcsh expand history even inside
// single quotes. Returns an empty string, meaning "refused", for an empty argv or when an element
// holds a line break, carriage return or NUL (csh cannot quote a newline, and none of our commands
// needs one).
QString quoteForRemoteShell(const QStringList& argv);

// The same for a whole RemoteCommand: "cd <dir> && <argv>" when it has a working directory (which
// works in sh and csh alike). Empty when refused.
QString remoteCommandLine(const RemoteCommand& command);

} // namespace sweepline::remote
