#pragma once

#include <QStringView>

#include <cstddef>

namespace sweepline::remote::ssh {

// A secret (passphrase, password, one-time code) as UTF-8 in memory of its own: whole pages mapped
// for it alone, kept out of core dumps (MADV_DONTDUMP), locked in RAM where the system allows (never
// required), and overwritten when it goes or grows. Move-only, so the bytes that held the secret are
// the bytes that get wiped; nothing copies them on the way from the prompt to libssh.
class SecretBuffer {
public:
    SecretBuffer() = default;
    ~SecretBuffer();
    SecretBuffer(SecretBuffer&& other) noexcept;
    SecretBuffer& operator=(SecretBuffer&& other) noexcept;
    SecretBuffer(const SecretBuffer&) = delete;
    SecretBuffer& operator=(const SecretBuffer&) = delete;

    // Encodes text as UTF-8 straight into a new buffer (for answers a widget handed over).
    static SecretBuffer fromUtf16(QStringView text);

    // false only when no memory could be mapped; the buffer is then unchanged.
    bool append(char c);
    void clear(); // wipes, keeps the pages

    const char* c_str() const { return m_data ? m_data : ""; } // NUL-terminated
    std::size_t size() const { return m_size; }
    bool isEmpty() const { return m_size == 0; }
    bool excludedFromCoreDumps() const { return m_dontDump; }
    bool locked() const { return m_locked; }

private:
    bool reserve(std::size_t bytes);
    void release();

    char* m_data = nullptr;
    std::size_t m_size = 0;
    std::size_t m_mapped = 0; // bytes mapped; room for m_mapped - 1 characters and a NUL
    bool m_dontDump = false;
    bool m_locked = false;
};

} // namespace sweepline::remote::ssh
