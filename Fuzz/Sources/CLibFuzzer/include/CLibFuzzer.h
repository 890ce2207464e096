#ifndef DBSCOUT_CLIBFUZZER_H
#define DBSCOUT_CLIBFUZZER_H

/// Runs libFuzzer's driver on the executable's `LLVMFuzzerTestOneInput`, with the process's arguments (corpus
/// directories, `-max_total_time=`, ...). Returns libFuzzer's exit status.
int dbscout_fuzz_main(int argc, char **argv);

#endif
