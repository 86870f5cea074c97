// OpenMPI from Debian (libopenmpi-dev), through the multiarch include folder it installs:
// /usr/include/<triplet>/mpi -> the OpenMPI include folder.
#include <mpi/mpi.h>

// MPI's handles are macros Swift cannot import (OpenMPI's are casts of global addresses);
// these functions hand them over.
static inline MPI_Comm se_mpi_comm_world(void) { return MPI_COMM_WORLD; }

static inline int se_mpi_allreduce_sum_float(float *values, int count) {
    return MPI_Allreduce(MPI_IN_PLACE, values, count, MPI_FLOAT, MPI_SUM, MPI_COMM_WORLD);
}

static inline int se_mpi_allreduce_sum_double(double *values, int count) {
    return MPI_Allreduce(MPI_IN_PLACE, values, count, MPI_DOUBLE, MPI_SUM, MPI_COMM_WORLD);
}
