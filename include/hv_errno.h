/* hv_errno.h: error codes shared by the vgic core, the x86 chips and their host APIs.
 * Every public function returns 0 or one of these negative values; none ever aborts. */
#ifndef HV_ERRNO_H
#define HV_ERRNO_H

#define HV_OK        0
#define HV_EINVAL  (-22)  /* argument malformed: NULL pointer, bad flag, bad value */
#define HV_ERANGE  (-34)  /* an index (INTID, line, vCPU, LR) outside the configured range */
#define HV_ENODEV  (-19)  /* the object exists in the ID space but not in this configuration */
#define HV_EBUSY   (-16)  /* the object is in a state that forbids the operation now */
#define HV_ENOSPC  (-28)  /* caller-provided storage too small */
#define HV_EPERM    (-1)  /* the operation is architecturally not allowed on this object */

#endif
