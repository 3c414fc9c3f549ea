#include "cli/consoleprompter.h"

#include "cli/console.h"

#include <QFile>

#include <cstdio>
#include <fcntl.h>
#include <termios.h>
#include <unistd.h>

using namespace Qt::StringLiterals;

namespace sweepline::cli {

namespace {

// One line from the terminal, read byte by byte straight into the secret's own memory; echo is off
// while a secret is typed and restored afterwards. Without a terminal: nullopt (declined).
std::optional<remote::ssh::SecretBuffer> askTerminal(const QString& prompt, bool echo)
{
    const int fd = ::open("/dev/tty", O_RDWR | O_CLOEXEC | O_NOCTTY);
    if (fd < 0)
        return std::nullopt;
    termios saved{};
    if (::tcgetattr(fd, &saved) != 0) {
        ::close(fd);
        return std::nullopt;
    }
    // Echo goes off (and type-ahead is dropped) before the prompt shows, as readpassphrase(3) does:
    // an answer typed as soon as the prompt appears is never flushed away.
    if (!echo) {
        termios quiet = saved;
        quiet.c_lflag &= ~tcflag_t(ECHO);
        quiet.c_lflag |= tcflag_t(ECHONL);
        ::tcsetattr(fd, TCSAFLUSH, &quiet);
    }
    const QByteArray text = prompt.toUtf8();
    [[maybe_unused]] ssize_t written = ::write(fd, text.constData(), size_t(text.size()));
    remote::ssh::SecretBuffer line;
    bool complete = false;
    char c = 0;
    while (::read(fd, &c, 1) == 1) {
        if (c == '\n') {
            complete = true;
            break;
        }
        if (!line.append(c))
            break;
    }
    c = 0;
    if (!echo)
        ::tcsetattr(fd, TCSAFLUSH, &saved);
    ::close(fd);
    if (!complete)
        return std::nullopt; // end of input or out of memory: no answer, not half of one
    return line;
}

} // namespace

bool ConsolePrompter::acceptNewHostKey(const remote::ssh::HostKeyInfo& key)
{
    if (!m_acceptNewHostKeys)
        return false;
    printErr(u"recording the new host key of %1 in %2: %3 %4"_s.arg(key.host, key.knownHostsFile, key.keyType,
                                                                    key.fingerprintSha256));
    return true;
}

std::optional<remote::ssh::SecretBuffer> ConsolePrompter::passphrase(const QString& keyFile)
{
    return askTerminal(u"Passphrase for %1: "_s.arg(keyFile), false);
}

std::optional<remote::ssh::SecretBuffer> ConsolePrompter::password(const QString& user, const QString& host)
{
    return askTerminal(u"Password for %1@%2: "_s.arg(user, host), false);
}

std::optional<std::vector<remote::ssh::SecretBuffer>>
ConsolePrompter::keyboardInteractive(const QString& name, const QString& instruction,
                                     const QList<remote::ssh::InteractivePrompt>& prompts)
{
    // The texts come from the server with control characters already removed (serverText).
    if (!name.isEmpty() || !instruction.isEmpty())
        printErr((name + u' ' + instruction).trimmed());
    std::vector<remote::ssh::SecretBuffer> answers;
    for (const auto& prompt : prompts) {
        auto answer = askTerminal(prompt.text, prompt.echo);
        if (!answer)
            return std::nullopt;
        answers.push_back(std::move(*answer));
    }
    return answers;
}

} // namespace sweepline::cli
