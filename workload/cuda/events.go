package cuda

import (
	"fmt"
	"unsafe"

	"github.com/omnistat/omnistat/workload"
)

// NewEvent implements workload.Device.
func (d *Device) NewEvent() (workload.Event, error) {
	var e uintptr
	err := d.drv.call("cuEventCreate", uintptr(unsafe.Pointer(&e)), 0)
	return workload.Event(e), err
}

// Record implements workload.Device.
func (d *Device) Record(e workload.Event, s workload.Stream) error {
	return d.drv.call("cuEventRecord", uintptr(e), uintptr(s))
}

// Elapsed implements workload.Device.
func (d *Device) Elapsed(start, end workload.Event) (float64, error) {
	if err := d.drv.call("cuEventSynchronize", uintptr(end)); err != nil {
		return 0, err
	}
	if d.drv.fn["cuEventElapsedTime"] == 0 {
		return 0, fmt.Errorf("cuEventElapsedTime: not in this driver")
	}
	var ms float32
	if err := d.drv.call("cuEventElapsedTime", uintptr(unsafe.Pointer(&ms)), uintptr(start), uintptr(end)); err != nil {
		return 0, err
	}
	return float64(ms), nil
}
