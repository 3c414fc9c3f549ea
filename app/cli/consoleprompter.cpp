#include "app/cli/consoleprompter.h"

#include "app/cli/console.h"

#include <QFile>

#include <cstdio>
#include <fcntl.h>
#include <termios.h>
#include <unistd.h>

namespace sweepline::cli {

namespace {

// One line from the terminal; echo is off while a secret is typed and restored afterwards.
std::optional<QString> askTerminal(const QString& prompt, bool echo)
{
    const int fd = ::open("/dev/tty", O_RDWR | O_CLOEXEC);
    if (fd < 0)
        return std::nullopt;
    const QByteArray text = prompt.toUtf8();
    [[maybe_unused]] ssize_t written = ::write(fd, text.constData(), size_t(text.size()));
    termios saved {};
    const bool isTerminal = ::tcgetattr(fd, &saved) == 0;
    if (isTerminal && !echo) {
        termios quiet = saved;
        quiet.c_lflag &= ~tcflag_t(ECHO);
        ::tcsetattr(fd, TCSAFLUSH, &quiet);
    }
    QByteArray line;
    char c = 0;
    while (::read(fd, &c, 1) == 1 && c != '\n')
        line.append(c);
    if (isTerminal && !echo) {
        ::tcsetattr(fd, TCSAFLUSH, &saved);
        written = ::write(fd, "\n", 1);
    }
    ::close(fd);
    QString answer = QString::fromUtf8(line);
    line.fill('\0');
    return answer;
}

} // namespace

bool ConsolePrompter::acceptNewHostKey(const remote::ssh::HostKeyInfo& key)
{
    if (!m_acceptNewHostKeys)
        return false;
    printErr(QStringLiteral("recording the new host key of %1 in %2: %3 %4")
                 .arg(key.host, key.knownHostsFile, key.keyType, key.fingerprintSha256));
    return true;
}

std::optional<QString> ConsolePrompter::passphrase(const QString& keyFile)
{
    return askTerminal(QStringLiteral("Passphrase for %1: ").arg(keyFile), false);
}

std::optional<QString> ConsolePrompter::password(const QString& user, const QString& host)
{
    return askTerminal(QStringLiteral("Password for %1@%2: ").arg(user, host), false);
}

std::optional<QStringList> ConsolePrompter::keyboardInteractive(const QString& name, const QString& instruction,
                                                                const QList<remote::ssh::InteractivePrompt>& prompts)
{
    if (!name.isEmpty() || !instruction.isEmpty())
        printErr((name + QLatin1Char(' ') + instruction).trimmed());
    QStringList answers;
    for (const auto& prompt : prompts) {
        const auto answer = askTerminal(prompt.text, prompt.echo); // the server's words, verbatim
        if (!answer)
            return std::nullopt;
        answers.append(*answer);
    }
    return answers;
}

} // namespace sweepline::cli
