#include "remote/ssh/secretbuffer.h"

#include <cstring>
#include <utility>

#include <sys/mman.h>
#include <unistd.h>

namespace sweepline::remote::ssh {

namespace {

std::size_t pageSize()
{
    static const std::size_t size = std::size_t(::sysconf(_SC_PAGESIZE));
    return size;
}

} // namespace

SecretBuffer::~SecretBuffer()
{
    release();
}

SecretBuffer::SecretBuffer(SecretBuffer&& other) noexcept
    : m_data(std::exchange(other.m_data, nullptr)),
      m_size(std::exchange(other.m_size, 0)),
      m_mapped(std::exchange(other.m_mapped, 0)),
      m_dontDump(std::exchange(other.m_dontDump, false)),
      m_locked(std::exchange(other.m_locked, false))
{}

SecretBuffer& SecretBuffer::operator=(SecretBuffer&& other) noexcept
{
    if (this != &other) {
        release();
        m_data = std::exchange(other.m_data, nullptr);
        m_size = std::exchange(other.m_size, 0);
        m_mapped = std::exchange(other.m_mapped, 0);
        m_dontDump = std::exchange(other.m_dontDump, false);
        m_locked = std::exchange(other.m_locked, false);
    }
    return *this;
}

void SecretBuffer::release()
{
    if (!m_data)
        return;
    ::explicit_bzero(m_data, m_mapped);
    if (m_locked)
        ::munlock(m_data, m_mapped);
    ::munmap(m_data, m_mapped);
    m_data = nullptr;
    m_size = 0;
    m_mapped = 0;
    m_dontDump = false;
    m_locked = false;
}

void SecretBuffer::clear()
{
    if (m_data)
        ::explicit_bzero(m_data, m_mapped);
    m_size = 0;
}

bool SecretBuffer::reserve(std::size_t bytes)
{
    if (bytes + 1 <= m_mapped)
        return true;
    const std::size_t length = (bytes + 1 + pageSize() - 1) / pageSize() * pageSize();
    void* mapped = ::mmap(nullptr, length, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
    if (mapped == MAP_FAILED)
        return false;
    char* data = static_cast<char*>(mapped);
    const bool dontDump = ::madvise(data, length, MADV_DONTDUMP) == 0;
    // An unprivileged process may lock little or nothing (RLIMIT_MEMLOCK): then the secret may be
    // swapped, which is no reason to refuse a login.
    const bool locked = ::mlock(data, length) == 0;
    if (m_data)
        std::memcpy(data, m_data, m_size);
    data[m_size] = '\0';
    const std::size_t size = m_size;
    release();
    m_data = data;
    m_size = size;
    m_mapped = length;
    m_dontDump = dontDump;
    m_locked = locked;
    return true;
}

bool SecretBuffer::append(char c)
{
    if (!reserve(m_size + 1))
        return false;
    m_data[m_size++] = c;
    m_data[m_size] = '\0';
    return true;
}

SecretBuffer SecretBuffer::fromUtf16(QStringView text)
{
    SecretBuffer secret;
    secret.reserve(std::size_t(text.size()) * 3);
    for (qsizetype i = 0; i < text.size(); ++i) {
        char32_t cp = text.at(i).unicode();
        if (QChar::isHighSurrogate(cp) && i + 1 < text.size() && text.at(i + 1).isLowSurrogate())
            cp = QChar::surrogateToUcs4(char16_t(cp), text.at(++i).unicode());
        else if (QChar::isSurrogate(cp))
            cp = 0xFFFD;
        if (cp < 0x80) {
            secret.append(char(cp));
        } else if (cp < 0x800) {
            secret.append(char(0xC0 | (cp >> 6)));
            secret.append(char(0x80 | (cp & 0x3F)));
        } else if (cp < 0x10000) {
            secret.append(char(0xE0 | (cp >> 12)));
            secret.append(char(0x80 | ((cp >> 6) & 0x3F)));
            secret.append(char(0x80 | (cp & 0x3F)));
        } else {
            secret.append(char(0xF0 | (cp >> 18)));
            secret.append(char(0x80 | ((cp >> 12) & 0x3F)));
            secret.append(char(0x80 | ((cp >> 6) & 0x3F)));
            secret.append(char(0x80 | (cp & 0x3F)));
        }
    }
    return secret;
}

} // namespace sweepline::remote::ssh
