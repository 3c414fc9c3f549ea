#pragma once

#include "model/result.h"

#include <QTest>

// QVERIFY(r.ok()) says only "false"; these print the result's code and message when it fails.
#define QVERIFY_RESULT(expression)                                                                                     \
    do {                                                                                                               \
        const auto& result_ = (expression);                                                                            \
        if (!result_.ok())                                                                                             \
            QFAIL(qPrintable(QString::fromUtf8("%1 failed (code %2): %3")                                              \
                                 .arg(QString::fromUtf8(#expression))                                                  \
                                 .arg(static_cast<int>(result_.errorCode()))                                           \
                                 .arg(result_.error())));                                                              \
    } while (false)

// A result that must fail, with this code.
#define QVERIFY_FAILS_WITH(expression, expectedCode)                                                                   \
    do {                                                                                                               \
        const auto& result_ = (expression);                                                                            \
        if (result_.ok())                                                                                              \
            QFAIL(qPrintable(QString::fromUtf8("%1 succeeded; it must fail").arg(QString::fromUtf8(#expression))));    \
        if (result_.errorCode() != (expectedCode))                                                                     \
            QFAIL(qPrintable(QString::fromUtf8("%1 failed with code %2, not %3: %4")                                   \
                                 .arg(QString::fromUtf8(#expression))                                                  \
                                 .arg(static_cast<int>(result_.errorCode()))                                           \
                                 .arg(static_cast<int>(expectedCode))                                                  \
                                 .arg(result_.error())));                                                              \
    } while (false)
