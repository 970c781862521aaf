import { topicList } from '../../src/answering/replyText';

describe('topicList: the topics inside a sentence', () => {
  it('uses the words staff gave for each topic, joined as English', () => {
    expect(topicList({ topics: ['BPOS', 'Billing policy', 'WPC'], topicNames: ['BPOS', 'partner billing policy', 'the Worldwide Partner Conference'] }, 'and')).toBe(
      'BPOS, partner billing policy and the Worldwide Partner Conference',
    );
    expect(topicList({ topics: ['BPOS', 'WPC'] }, 'and')).toBe('BPOS and WPC');
    expect(topicList({ topics: ['BPOS', 'WPC', 'Office'] }, 'und')).toBe('BPOS, WPC und Office');
  });

  it('keeps a topic that itself has "and" apart from the last one with a comma', () => {
    expect(topicList({ topics: ['BPOS', 'Partner program and market', 'WPC'] }, 'and')).toBe('BPOS, Partner program and market, and WPC');
    expect(topicList({ topics: ['BPOS', 'Brand and market', 'WPC'] }, 'und')).toBe('BPOS, Brand and market und WPC');
  });
});
