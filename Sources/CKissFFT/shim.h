#include <stdlib.h>
#include <kissfft/kiss_fft.h>
#include <kissfft/kiss_fftr.h>

// kiss_fftr_free is a macro; give Swift a function.
static inline void ckiss_fftr_free(kiss_fftr_cfg cfg) { kiss_fftr_free(cfg); }
