# Campaign parsing, validation and command templates
sweepline_add_qtest(tst_campaignparser SOURCES tst_campaignparser.cpp LIBRARIES sweepline_model LABELS unit)
sweepline_add_qtest(tst_commandtemplate SOURCES tst_commandtemplate.cpp LIBRARIES sweepline_model LABELS unit)
