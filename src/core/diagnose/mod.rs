//! Root-cause diagnosis of calibration drift (in progress).
