// What this device remembers of its anonymous identity: public facts only (never the
// secret). The reward addresses let /me show their balances; nothing here leaves the device.
const STORE = "dentareview.anonymous";

export interface RewardAddress {
  address: string;
  dentist: string;
  period: string;
}

interface Remembered {
  /** visits whose membership this device registered */
  joined: string[];
  rewards: RewardAddress[];
}

function read(): Remembered {
  try {
    const value = JSON.parse(localStorage.getItem(STORE) ?? "null") as Partial<Remembered> | null;
    return { joined: Array.isArray(value?.joined) ? value.joined : [], rewards: Array.isArray(value?.rewards) ? value.rewards : [] };
  } catch {
    return { joined: [], rewards: [] };
  }
}

function write(value: Remembered): void {
  try {
    localStorage.setItem(STORE, JSON.stringify(value));
  } catch {
    // storage blocked: the device derives the same again when asked
  }
}

export function hasJoined(visitId: string): boolean {
  return read().joined.includes(visitId.toLowerCase());
}

export function rememberJoined(visitId: string): void {
  const value = read();
  if (!value.joined.includes(visitId.toLowerCase())) value.joined.push(visitId.toLowerCase());
  write(value);
}

export function rewardAddresses(): RewardAddress[] {
  return read().rewards;
}

export function rememberReward(reward: RewardAddress): void {
  const value = read();
  if (!value.rewards.some((r) => r.address.toLowerCase() === reward.address.toLowerCase())) value.rewards.push(reward);
  write(value);
}
