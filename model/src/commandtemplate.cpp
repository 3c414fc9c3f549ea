#include "model/commandtemplate.h"

#include <QSet>

#include <algorithm>
#include <optional>
#include <vector>

using namespace Qt::StringLiterals;

namespace sweepline::model {

namespace {

// Characters that mean nothing to a POSIX shell anywhere in a word, so such words need no quotes.
bool isShellSafe(QChar c)
{
    if (c.unicode() >= 0x80)
        return false;
    const char ch = char(c.unicode());
    if ((ch >= 'a' && ch <= 'z') || (ch >= 'A' && ch <= 'Z') || (ch >= '0' && ch <= '9'))
        return true;
    switch (ch) {
    case '_':
    case '.':
    case '/':
    case ':':
    case '=':
    case '@':
    case '%':
    case '+':
    case ',':
    case '-':
        return true;
    default:
        return false;
    }
}

bool isPlaceholderStart(QChar c)
{
    return (c >= u'a' && c <= u'z') || (c >= u'A' && c <= u'Z') || c == u'_';
}

bool isPlaceholderChar(QChar c)
{
    return isPlaceholderStart(c) || (c >= u'0' && c <= u'9');
}

bool isPlaceholderName(QStringView name)
{
    if (name.isEmpty() || !isPlaceholderStart(name.front()))
        return false;
    return std::all_of(name.begin(), name.end(), isPlaceholderChar);
}

// 1-based column of a UTF-16 index, counted in characters as an editor shows them.
int columnOf(const QString& text, qsizetype index)
{
    int column = 1;
    for (qsizetype i = 0; i < index; ++i) {
        if (!text.at(i).isLowSurrogate())
            ++column;
    }
    return column;
}

Result<CommandTemplate> failure(const QString& message)
{
    return Result<CommandTemplate>::failure(message);
}

// Follows the shell's quoting through a template, far enough to tell where a placeholder lands.
// A value is shell-quoted into one literal word, which only holds where the shell reads a bare
// word: inside '...' the value's own quotes would end the string, inside "..." they would be
// literal, so that $(...) in the value would run; after a backslash the escape would eat the
// value's opening quote, after a '$' the value would become $'...' or a variable name. Inside
// $(...) words are bare again; inside `...` too, but the shell ends `...` at the first backquote,
// quoted or not, so values may not go there either. A '#' starting a word starts a comment.
class ShellContext {
public:
    // Feeds one character of the command as the shell sees it ("{{" as '{').
    void feed(QChar c, qsizetype index);
    // Why a placeholder may not stand at the current place, as the end of an error message; empty
    // when it may.
    QString placeholderProblem() const;
    void feedPlaceholder();
    // The error for a quote that is still open at the end of the command, or empty.
    QString unterminated(const QString& text) const;

private:
    enum class Kind {
        Single,       // '...'
        AnsiC,        // $'...': like '...', but a backslash escapes
        Double,       // "..." and $"..."
        Backquote,    // `...`: bare words inside, yet no place for a value
        Substitution, // $(...) and $((...)): bare words inside
    };
    struct Frame {
        Kind kind;
        qsizetype start; // index of the opening character, for messages
        int depth = 1;   // open parentheses of a substitution
    };

    std::optional<Kind> current() const
    {
        return m_frames.empty() ? std::nullopt : std::optional<Kind>(m_frames.back().kind);
    }
    void feedBare(QChar c, qsizetype index, bool afterDollar);

    std::vector<Frame> m_frames;
    bool m_escaped = false; // the previous character was an unquoted backslash
    bool m_dollar = false;  // the previous character was an unquoted '$'
    qsizetype m_dollarIndex = -1;
    bool m_wordStart = true; // the next character starts a word ('#' there starts a comment)
    bool m_comment = false;  // the rest of the command is a comment
};

void ShellContext::feed(QChar c, qsizetype index)
{
    const bool afterDollar = m_dollar;
    m_dollar = false;
    if (m_comment)
        return;
    if (m_escaped) {
        m_escaped = false;
        m_wordStart = false;
        return;
    }
    // Outside any quote the shell reads bare words, as inside $(...).
    switch (current().value_or(Kind::Substitution)) {
    case Kind::Single:
        if (c == u'\'')
            m_frames.pop_back();
        return;
    case Kind::AnsiC:
        if (c == u'\\')
            m_escaped = true;
        else if (c == u'\'')
            m_frames.pop_back();
        return;
    case Kind::Double:
        if (c == u'\\') {
            m_escaped = true;
        } else if (c == u'"') {
            m_frames.pop_back();
        } else if (c == u'`') {
            m_frames.push_back({Kind::Backquote, index});
        } else if (c == u'$') {
            m_dollar = !afterDollar; // "$$" is the process id, complete in itself
            m_dollarIndex = index;
        } else if (c == u'(' && afterDollar) {
            m_frames.push_back({Kind::Substitution, m_dollarIndex});
        }
        return;
    case Kind::Backquote:
    case Kind::Substitution:
        feedBare(c, index, afterDollar);
        return;
    }
}

void ShellContext::feedBare(QChar c, qsizetype index, bool afterDollar)
{
    const bool wordStart = m_wordStart;
    m_wordStart = c == u' ' || c == u'\t' || c == u';' || c == u'&' || c == u'|' || c == u'(' || c == u')' || c == u'<'
        || c == u'>';
    if (c == u'#' && wordStart && m_frames.empty()) {
        m_comment = true;
    } else if (c == u'\\') {
        m_escaped = true;
    } else if (c == u'\'') {
        m_frames.push_back(afterDollar ? Frame{Kind::AnsiC, m_dollarIndex} : Frame{Kind::Single, index});
    } else if (c == u'"') {
        m_frames.push_back({Kind::Double, index});
    } else if (c == u'`') {
        if (current() == Kind::Backquote)
            m_frames.pop_back();
        else
            m_frames.push_back({Kind::Backquote, index});
    } else if (c == u'$') {
        m_dollar = !afterDollar; // "$$" is the process id, complete in itself
        m_dollarIndex = index;
    } else if (c == u'(' && afterDollar) {
        m_frames.push_back({Kind::Substitution, m_dollarIndex});
        m_wordStart = false;
    } else if (c == u'(' && current() == Kind::Substitution) {
        ++m_frames.back().depth;
    } else if (c == u')' && current() == Kind::Substitution) {
        if (--m_frames.back().depth == 0) {
            m_frames.pop_back();
            m_wordStart = false; // "$(a)#b" is one word
        }
    }
}

QString ShellContext::placeholderProblem() const
{
    if (m_comment)
        return {};
    const auto bare = u"; write it bare: values are quoted for the shell"_s;
    const std::optional<Kind> kind = current();
    if (kind == Kind::Single || kind == Kind::AnsiC || kind == Kind::Double)
        return u"is inside quotes"_s + bare;
    // The shell ends `...` at the first backquote, also at one inside the value's quotes.
    if (std::any_of(m_frames.begin(), m_frames.end(), [](const Frame& f) { return f.kind == Kind::Backquote; }))
        return u"is inside `...`; write $(...) instead: a backquote in a value would end `...`"_s;
    if (m_escaped)
        return u"follows a backslash"_s + bare;
    if (m_dollar)
        return u"follows '$'"_s + bare;
    return {};
}

void ShellContext::feedPlaceholder()
{
    m_wordStart = false;
}

QString ShellContext::unterminated(const QString& text) const
{
    // $(...) is left out: a ')' of a case pattern inside it would throw off the count.
    for (auto frame = m_frames.rbegin(); frame != m_frames.rend(); ++frame) {
        QString opening;
        switch (frame->kind) {
        case Kind::Single:
            opening = u"'"_s;
            break;
        case Kind::AnsiC:
            opening = u"$'"_s;
            break;
        case Kind::Double:
            opening = u"\""_s;
            break;
        case Kind::Backquote:
            opening = u"`"_s;
            break;
        case Kind::Substitution:
            continue;
        }
        return u"unterminated %1 quote starting at column %2"_s.arg(opening,
                                                                    QString::number(columnOf(text, frame->start)));
    }
    return {};
}

} // namespace

QString shellQuote(const QString& value)
{
    if (value.isEmpty())
        return u"''"_s;
    if (std::all_of(value.begin(), value.end(), isShellSafe))
        return value;
    // Inside single quotes nothing is special; a quote itself closes, escapes and reopens.
    QString quoted = value;
    quoted.replace(u'\'', u"'\\''"_s);
    return u'\'' + quoted + u'\'';
}

Result<CommandTemplate> CommandTemplate::parse(const QString& text)
{
    CommandTemplate result;
    QString literal;
    const auto flushLiteral = [&] {
        if (!literal.isEmpty())
            result.m_pieces.append({literal, false});
        literal.clear();
    };

    // Braces are checked first; a placeholder's place in the shell's quoting only then.
    ShellContext shell;
    for (qsizetype i = 0; i < text.size(); ++i) {
        const QChar c = text.at(i);
        const bool doubled = i + 1 < text.size() && text.at(i + 1) == c;
        if (c == u'}') {
            if (!doubled)
                return failure(u"stray '}' at column %1; write }} for a literal brace"_s.arg(columnOf(text, i)));
            literal += c;
            shell.feed(c, i);
            ++i;
            continue;
        }
        if (c != u'{') {
            literal += c;
            shell.feed(c, i);
            continue;
        }
        if (doubled) {
            literal += c;
            shell.feed(c, i);
            ++i;
            continue;
        }
        const qsizetype close = text.indexOf(u'}', i + 1);
        const qsizetype nextOpen = text.indexOf(u'{', i + 1);
        if (close < 0 || (nextOpen >= 0 && nextOpen < close))
            return failure(u"unclosed '{' at column %1"_s.arg(columnOf(text, i)));
        const QString name = text.mid(i + 1, close - i - 1);
        if (name.isEmpty())
            return failure(u"empty placeholder '{}' at column %1"_s.arg(columnOf(text, i)));
        if (!isPlaceholderName(name)) {
            return failure(u"invalid placeholder {%1} at column %2; write {{ and }} for literal braces"_s.arg(
                name, QString::number(columnOf(text, i))));
        }
        if (const QString problem = shell.placeholderProblem(); !problem.isEmpty()) {
            return failure(
                u"placeholder {%1} at column %2 %3"_s.arg(name, QString::number(columnOf(text, i)), problem));
        }
        shell.feedPlaceholder();
        flushLiteral();
        result.m_pieces.append({name, true});
        i = close;
    }
    if (const QString problem = shell.unterminated(text); !problem.isEmpty())
        return failure(problem);
    flushLiteral();
    return result;
}

QStringList CommandTemplate::placeholders() const
{
    QStringList names;
    QSet<QString> seen;
    for (const Piece& piece : m_pieces) {
        if (piece.isPlaceholder && !seen.contains(piece.text)) {
            seen.insert(piece.text);
            names.append(piece.text);
        }
    }
    return names;
}

QString CommandTemplate::render(const QHash<QString, QString>& values) const
{
    QString command;
    for (const Piece& piece : m_pieces)
        command += piece.isPlaceholder ? shellQuote(values.value(piece.text)) : piece.text;
    return command;
}

} // namespace sweepline::model
