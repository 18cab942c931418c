import type { StateCreator } from 'zustand';
import type { AppState } from './index.js';

export type Slice<T> = StateCreator<AppState, [], [], T>;
