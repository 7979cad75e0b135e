import { describe, expect, it } from 'vitest';
import { RequestSlots } from '../../sw/request-slots.js';
import { settle } from './helpers/eventually.js';

describe('RequestSlots', () => {
  it('grants up to the limit at once; the next holder waits until a slot is given back', async () => {
    const slots = new RequestSlots(2);
    const first = await slots.take();
    await slots.take();
    let third = false;
    const waiting = slots.take().then(() => (third = true));
    await settle();
    expect(third).toBe(false);

    first();
    await waiting;
    expect(third).toBe(true);
  });

  it('serves waiters first come, first served, and a slot given back goes to the next in line, not to a newcomer', async () => {
    const slots = new RequestSlots(1);
    const release = await slots.take();
    const order: string[] = [];
    const a = slots.take().then((done) => (order.push('a'), done));
    const b = slots.take().then((done) => (order.push('b'), done));
    await settle();

    release();
    const late = slots.take().then((done) => (order.push('late'), done));
    (await a)();
    (await b)();
    (await late)();
    expect(order).toEqual(['a', 'b', 'late']);
  });

  it('giving a slot back twice frees it once', async () => {
    const slots = new RequestSlots(1);
    const release = await slots.take();
    release();
    release();
    await slots.take();
    let second = false;
    void slots.take().then(() => (second = true));
    await settle();
    expect(second).toBe(false);
  });
});
