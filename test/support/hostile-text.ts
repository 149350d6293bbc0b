/** Markup a user might type to ping people, name a channel or disguise a link. None of it may reach Slack live. */
export const HOSTILE = [
  '<!everyone>',
  '<!channel>',
  '<!here>',
  '<!subteam^S0EVIL>',
  '<@U0EVIL>',
  '<#C0EVIL>',
  '<#C1|x>',
  '<http://evil.example|docs>',
  '<http://evil|click>',
  '*bold*',
  'a|b>c',
];
/** Any of HOSTILE's mentions or links surviving as live markup. */
export const LIVE = /<!everyone|<!channel|<!here|<!subteam\^S0EVIL|<@U0EVIL|<#C0EVIL|<#C1|<http:\/\/evil/;
