#include <hdf5.h>

// HDF5's type and property-list names are macros that call H5open(); Swift sees them through these.
static inline hid_t feder_h5t_native_float(void) { return H5T_NATIVE_FLOAT; }
static inline hid_t feder_h5t_native_int64(void) { return H5T_NATIVE_INT64; }
static inline hid_t feder_h5p_default(void) { return H5P_DEFAULT; }
static inline hid_t feder_h5s_all(void) { return H5S_ALL; }
static inline unsigned feder_h5f_acc_rdonly(void) { return H5F_ACC_RDONLY; }
// Errors are reported by the caller, not printed by the library.
static inline void feder_h5_quiet(void) { H5Eset_auto2(H5E_DEFAULT, NULL, NULL); }
// What a dataset's layout promises against what the file holds (checked before a read allocates anything).
static inline int feder_h5d_is_contiguous(hid_t dataset) {
    hid_t plist = H5Dget_create_plist(dataset);
    if (plist < 0) return -1;
    H5D_layout_t layout = H5Pget_layout(plist);
    H5Pclose(plist);
    return layout == H5D_CONTIGUOUS || layout == H5D_COMPACT;
}
static inline int feder_h5d_filter_count(hid_t dataset) {
    hid_t plist = H5Dget_create_plist(dataset);
    if (plist < 0) return -1;
    int count = H5Pget_nfilters(plist);
    H5Pclose(plist);
    return count;
}
static inline size_t feder_h5d_element_size(hid_t dataset) {
    hid_t type = H5Dget_type(dataset);
    if (type < 0) return 0;
    size_t size = H5Tget_size(type);
    H5Tclose(type);
    return size;
}
