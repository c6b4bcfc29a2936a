import { fuzzShard } from './fuzz.js';

fuzzShard(2, 3);
