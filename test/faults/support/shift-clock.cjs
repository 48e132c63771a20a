// Preloaded with `node --require` into a bot process by the fault suite: shifts the process's wall clock by
// PICKUP_FAULT_CLOCK_OFFSET_MS (Date.now() and `new Date()`), like libfaketime. Timers, the event loop and the
// database's own now() are untouched. The multi-instance test uses it to put both bots a few seconds before a
// five-minute reminder tick, on a weekday, in business hours, whenever the suite happens to run.
'use strict';

const offset = Number(process.env.PICKUP_FAULT_CLOCK_OFFSET_MS || 0);
if (Number.isFinite(offset) && offset !== 0) {
  const RealDate = Date;
  class ShiftedDate extends RealDate {
    constructor(...args) {
      if (args.length === 0) super(RealDate.now() + offset);
      else super(...args);
    }
    static now() {
      return RealDate.now() + offset;
    }
  }
  globalThis.Date = ShiftedDate;
}
