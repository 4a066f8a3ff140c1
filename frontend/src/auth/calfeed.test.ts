import { describe, expect, it } from 'vitest';
import { absoluteFeedURL } from './CalendarFeeds';

describe('the subscription URL', () => {
  it('is completed with the origin when the server gives a path', () => {
    expect(absoluteFeedURL('/calendar/abc.ics', 'https://egide.local')).toBe('https://egide.local/calendar/abc.ics');
  });
  it('is kept when absolute (EGIDE_PUBLIC_URL set)', () => {
    expect(absoluteFeedURL('https://egide.example.org/calendar/abc.ics', 'http://x')).toBe('https://egide.example.org/calendar/abc.ics');
  });
});
