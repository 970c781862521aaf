import { smallTalkIntent } from '../../src/answering/smallTalk';

describe('smallTalkIntent', () => {
  it.each([["that's all, thanks", 'goodbye'], ['ok thats all', 'goodbye']])('reads "%s" as %s', (text, intent) => {
    expect(smallTalkIntent(text)).toBe(intent);
  });

  it.each([['hi'], ['Hello!'], ['HELLO'], ['hey there bot'], ['Good morning'], ['how are you?'], ['Hi!!! 👋']])(
    'recognises "%s" as a greeting',
    (text) => {
      expect(smallTalkIntent(text)).toBe('greeting');
    },
  );

  it.each([['thanks'], ['Thank you very much!'], ['thx'], ['cheers'], ['ok thanks'], ['got it']])('recognises "%s" as thanks', (text) => {
    expect(smallTalkIntent(text)).toBe('thanks');
  });

  it.each([['help'], ['What can you do?'], ['menu'], ['I need help'], ['can you help me'], ['what topics do you cover?']])(
    'recognises "%s" as a request for help',
    (text) => {
      expect(smallTalkIntent(text)).toBe('help');
    },
  );

  it.each([['bye'], ['Goodbye!'], ['see ya'], ["that's all"], ['ok thanks, bye']])('recognises "%s" as goodbye', (text) => {
    expect(smallTalkIntent(text)).toBe('goodbye');
  });

  it.each([
    ['human'],
    ['I want to talk to a person'],
    ['can I speak to a human?'],
    ['escalate this please'],
    ['I need someone from partner support'],
    ['connect me with an agent'],
    ['talk to a real person please'],
    ['get me a human'],
    ['transfer me to support'],
    ["That didn't help"],
  ])('recognises "%s" as a request for a person', (text) => {
    expect(smallTalkIntent(text)).toBe('person');
  });

  it('lets the last part decide when a message strings small talk together', () => {
    expect(smallTalkIntent('hi thanks')).toBe('thanks');
    expect(smallTalkIntent('ok bye')).toBe('goodbye');
    expect(smallTalkIntent('great thanks bye')).toBe('goodbye');
  });

  it.each([
    ['hi, when is wpc?'],
    ['thanks, and what is bpos?'],
    ['hello there, who is Betsy Frost Webb'],
    ['help me with bpos pricing'],
    ['Can you help me with Office 365?'],
    ['what is bpos'],
    ['who is the person in charge of online services'],
    ['does the partner support team handle billing'],
    ['hey what does O365 replace'],
  ])('does not treat "%s", which asks a real question, as small talk', (text) => {
    expect(smallTalkIntent(text)).toBeUndefined();
  });

  it('does not treat a long message that mentions people as a request for a person', () => {
    const text =
      'our sales people want to talk to someone at a customer about whether bpos standard or dedicated is the right edition for a company with ten thousand staff';
    expect(smallTalkIntent(text)).toBeUndefined();
  });

  it.each([[''], ['   '], ['!!!']])('finds no intent in "%s"', (text) => {
    expect(smallTalkIntent(text)).toBeUndefined();
  });
});
