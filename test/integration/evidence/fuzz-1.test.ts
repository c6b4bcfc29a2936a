import { fuzzShard } from './fuzz.js';

fuzzShard(0, 3);
