import { fuzzShard } from './fuzz.js';

fuzzShard(1, 3);
